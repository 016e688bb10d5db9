/// Where schema admission is inside an object, spelled out (`spec.rules[0].ports`) only when a
/// cause or an unknown field names it.
///
/// Admission walks every field of every write and almost never reports one, so keeping the path
/// as a stack of components, rather than a string built at every node, is most of the saving.
struct FieldPath: Sendable {
    /// One step down: a member of an object or an element of an array.
    private enum Component: Sendable {
        case key(String)
        case index(Int)
    }

    /// The steps from the root, outermost first.
    private var components: [Component] = []

    /// Steps into the member `key` of an object.
    mutating func enter(_ key: String) { components.append(.key(key)) }

    /// Steps into element `index` of an array.
    mutating func enter(index: Int) { components.append(.index(index)) }

    /// Steps back out of the last `enter`.
    mutating func leave() { components.removeLast() }

    /// The path as kube-apiserver names fields: keys joined by dots, indices in brackets. An empty
    /// key adds no dot to an empty path, as joining strings one level at a time did.
    var rendered: String {
        var path = ""
        for component in components { Self.append(component, to: &path) }
        return path
    }

    /// The path of member `key` of the current object.
    func rendered(appending key: String) -> String {
        var path = rendered
        Self.append(.key(key), to: &path)
        return path
    }

    /// Adds one step to a spelled-out path.
    private static func append(_ component: Component, to path: inout String) {
        switch component {
        case .key(let key): path = path.isEmpty ? key : "\(path).\(key)"
        case .index(let index): path += "[\(index)]"
        }
    }
}
