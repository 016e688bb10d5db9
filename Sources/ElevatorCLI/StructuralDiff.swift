import YAML

/// Where two JSON values differ, as `path: expected X, got Y` lines: the readable diff of a failed
/// mesh-object expectation. Objects compare by key (order never matters), arrays by position.
enum StructuralDiff {
    /// Every difference, in path order.
    static func differences(expected: JSONValue, actual: JSONValue, path: String = "") -> [String] {
        switch (expected, actual) {
        case (.object(let want), .object(let got)):
            var lines: [String] = []
            for key in Set(want.keys).union(got.keys).sorted() {
                let child = FieldPath.appending(key, to: path)
                switch (want[key], got[key]) {
                case (let w?, let g?): lines += differences(expected: w, actual: g, path: child)
                case (let w?, nil): lines.append("\(child): expected \(show(w)), got nothing")
                case (nil, let g?): lines.append("\(child): expected nothing, got \(show(g))")
                case (nil, nil): break
                }
            }
            return lines
        case (.array(let want), .array(let got)):
            var lines: [String] = []
            for index in 0..<max(want.count, got.count) {
                let child = "\(path)[\(index)]"
                if index >= got.count {
                    lines.append("\(child): expected \(show(want[index])), got nothing")
                } else if index >= want.count {
                    lines.append("\(child): expected nothing, got \(show(got[index]))")
                } else {
                    lines += differences(expected: want[index], actual: got[index], path: child)
                }
            }
            return lines
        default:
            return expected == actual ? [] : ["\(path.isEmpty ? "(document)" : path): expected \(show(expected)), got \(show(actual))"]
        }
    }

    /// A value on one line: scalars as JSON, collections as flow YAML-like text.
    static func show(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return "\"\(s)\""
        case .array(let items): return "[" + items.map(show).joined(separator: ", ") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { "\($0): \(show(members[$0] ?? .null))" }.joined(separator: ", ") + "}"
        }
    }
}
