import Foundation

extension LintReport {
    /// The text report: one `file:line:column: field.path: message` line per finding, then the
    /// unreadable paths (one sentence each), then a summary line when anything was found.
    public var textLines: [String] {
        var lines = findings.map(\.display)
        lines += unreadable.map(\.description)
        let errors = findings.filter { $0.severity == .error }.count
        let warnings = findings.count - errors
        if !findings.isEmpty || !unreadable.isEmpty {
            lines.append(
                "\(errors) problem\(errors == 1 ? "" : "s")\(warnings > 0 ? ", \(warnings) warning\(warnings == 1 ? "" : "s")" : "") "
                    + "in \(filesRead) file\(filesRead == 1 ? "" : "s")"
                    + (unreadable.isEmpty ? "" : "; \(unreadable.count) path\(unreadable.count == 1 ? "" : "s") could not be read"))
        }
        return lines
    }

    /// `--output json`: a JSON array of `{file, line, column, path, message, severity}`; a path
    /// that could not be read appears with line and column 0.
    public func json() -> String {
        var all = findings
        for error in unreadable {
            var file = ""
            if case .missingFile(let path) = error { file = path }
            if case .unreadable(let path, _) = error { file = path }
            if case .noManifests(let path) = error { file = path }
            all.append(LintFinding(file: file, line: 0, column: 0, path: "", message: error.description))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(all), let text = String(data: data, encoding: .utf8) else { return "[]" }
        return text
    }
}
