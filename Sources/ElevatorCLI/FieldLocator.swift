import YAML

/// Maps a field path in Kubernetes notation (`spec.rules[0].paths[1]`,
/// `metadata.labels[app.kubernetes.io/name]`) to the YAML node it names, for `file:line:column`.
enum FieldLocator {
    /// One step of a path: a mapping key or a sequence index.
    enum Step: Equatable {
        case key(String)
        case index(Int)
    }

    /// The steps of `path`; a bracketed non-number is a key (the YAML module writes keys that are
    /// not plain words that way).
    static func steps(_ path: String) -> [Step] {
        var steps: [Step] = []
        var current = ""
        var iterator = path.makeIterator()
        func flush() {
            if !current.isEmpty { steps.append(.key(current)) }
            current = ""
        }
        while let character = iterator.next() {
            switch character {
            case ".":
                flush()
            case "[":
                flush()
                var inside = ""
                while let next = iterator.next(), next != "]" { inside.append(next) }
                if let index = Int(inside) { steps.append(.index(index)) } else { steps.append(.key(inside)) }
            default:
                current.append(character)
            }
        }
        flush()
        return steps
    }

    /// The deepest node of `root` along `path`: the node itself when every step exists, else the
    /// last one that does (a missing key is reported at the mapping that lacks it).
    static func locate(_ path: String, in root: YAMLNode) -> YAMLNode {
        var node = root
        for step in steps(path) {
            let next: YAMLNode?
            switch step {
            case .key(let key): next = node[key]
            case .index(let index): next = node[index]
            }
            guard let next else { return node }
            node = next
        }
        return node
    }
}

extension FieldLocator {
    /// The key node of the last step of `path` when it is a mapping key that exists; otherwise
    /// what `locate` finds.
    static func locateKey(_ path: String, in root: YAMLNode) -> YAMLNode {
        var all = steps(path)
        guard case .key(let last)? = all.popLast() else { return locate(path, in: root) }
        var node = root
        for step in all {
            let next: YAMLNode?
            switch step {
            case .key(let key): next = node[key]
            case .index(let index): next = node[index]
            }
            guard let next else { return node }
            node = next
        }
        return node.pairs.first { $0.key.scalar == last }?.key ?? node
    }
}
