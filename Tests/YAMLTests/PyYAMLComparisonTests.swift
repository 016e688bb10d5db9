import Foundation
import Testing
import YAML
import TestSupport

/// Our JSON against PyYAML's `CSafeLoader` on generated documents, restricted to the constructs
/// where YAML 1.1 as Kubernetes reads it and PyYAML agree (no `y`/`n` booleans, no `0o` octal, no
/// exponent without a sign or dot, no timestamps, no `.inf`).
struct PyYAMLComparisonTests {
    /// The interpreter and its leading arguments: $ELEVATOR_PYTHON, else the package's
    /// .build-venv, else python3 from PATH.
    static var python: [String] {
        if let configured = ProcessInfo.processInfo.environment["ELEVATOR_PYTHON"], !configured.isEmpty { return [configured] }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let venv = root.appendingPathComponent(".build-venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? [venv] : ["/usr/bin/env", "python3"]
    }

    static let loader = """
        import json, sys, yaml
        assert yaml.__with_libyaml__, "PyYAML lacks its libyaml binding"
        for path in sys.argv[1:]:
            try:
                with open(path, encoding="utf-8") as f:
                    print(json.dumps(list(yaml.load_all(f, Loader=yaml.CSafeLoader))))
            except yaml.YAMLError as error:
                print(json.dumps({"error": str(error).replace(chr(10), " ")}))
        """

    /// Runs PyYAML over the files and returns one JSON text (a list of documents) per file.
    static func pyyaml(_ paths: [String]) throws -> [String] {
        let process = Process()
        let parts = python
        process.executableURL = URL(fileURLWithPath: parts[0])
        process.arguments = Array(parts.dropFirst()) + ["-c", loader] + paths
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "PyYAML failed")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Equality where an integer equals a float of the same value (PyYAML keeps 1.0 a float;
    /// Kubernetes' JSON round trip makes it 1).
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int(let x), .double(let y)), (.double(let y), .int(let x)): return Double(x) == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { same(value, $0) } ?? false }
        default: return a == b
        }
    }

    @Test func generatedDocumentsReadAsPyYAMLReadsThem() throws {
        var generator = DocumentGenerator(seed: 20_261_125)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yaml-compare-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var streams: [String] = []
        var paths: [String] = []
        for index in 0..<300 {
            let stream = generator.stream()
            let path = directory.appendingPathComponent("case\(index).yaml").path
            try stream.write(toFile: path, atomically: true, encoding: .utf8)
            streams.append(stream)
            paths.append(path)
        }
        let expected = try Self.pyyaml(paths)
        try #require(expected.count == streams.count)
        var documents = 0
        for (stream, json) in zip(streams, expected) {
            guard let theirs = try? JSONDecoder().decode([JSONValue].self, from: Data(json.utf8)) else {
                Issue.record("PyYAML refused a generated stream: \(json)\n\(stream)")
                continue
            }
            let ours = try YAMLParser().parseJSONDocuments(stream)
            documents += ours.count
            #expect(ours.count == theirs.count && zip(ours, theirs).allSatisfy { Self.same($0, $1) }, "\(stream)")
        }
        #expect(documents >= 300)
    }

    @Test func istioCRDsReadAsPyYAMLReadsThem() throws {
        let path = SchemaFileTests.schemas.appendingPathComponent("istio-crd-all.gen.yaml").path
        let theirs = try JSONDecoder().decode([JSONValue].self, from: Data(try Self.pyyaml([path])[0].utf8))
        let ours = try YAMLParser().parseJSONDocuments(try String(contentsOfFile: path, encoding: .utf8))
        #expect(ours.count == theirs.count && zip(ours, theirs).allSatisfy { Self.same($0, $1) })
    }
}


/// Random Kubernetes-like YAML in the subset both readers agree on.
struct DocumentGenerator {
    var rng: SeededRandom
    var mappingAnchors: [String] = []
    var anchors: [String] = []
    var anchorCount = 0

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    mutating func pick<T>(_ choices: [T]) -> T { choices[Int.random(in: 0..<choices.count, using: &rng)] }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

    mutating func stream() -> String {
        let count = Int.random(in: 1...3, using: &rng)
        return (0..<count).map { _ in
            mappingAnchors = []
            anchors = []
            return "---\n" + block(mapping: true, indent: 0, depth: 0)
        }.joined()
    }

    mutating func key(_ used: inout Set<String>) -> String {
        while true {
            var key = pick(["name", "port", "labels", "spec", "rules", "app", "tier", "weight", "paths", "hosts", "value",
                            "metadata", "x-1", "app.kubernetes.io/name", "kind", "enabled", "ratio", "count", "data"])
            if chance(40) { key += String(Int.random(in: 0..<100, using: &rng)) }
            if chance(10) { key = "\"\(key) quoted\"" }
            if used.insert(key).inserted { return key }
        }
    }

    mutating func scalar() -> String {
        switch Int.random(in: 0..<14, using: &rng) {
        case 0: return String(Int.random(in: -1_000_000_000...1_000_000_000, using: &rng))
        case 1: return "0x" + String(Int.random(in: 0...0xFFFFFF, using: &rng), radix: 16, uppercase: chance(50))
        case 2: return "0" + String(Int.random(in: 1...0o7777, using: &rng), radix: 8)
        case 3: return pick(["1_000", "-2_500", "+17"])
        case 4: return "\(Int.random(in: -999...999, using: &rng)).\(Int.random(in: 0...999, using: &rng))"
        case 5: return pick(["1.5e+3", "-2.25E-2", ".5", "0.0", "3.", "1_0.5"])
        case 6: return pick(["true", "false", "True", "FALSE", "yes", "no", "on", "off", "Yes", "NO", "On"])
        case 7: return pick(["null", "~", "Null", "NULL"])
        case 8: return pick(["web server", "alpha-1", "GET", "/api/v1", "a:b", "http://svc.ns:8080/x", "x # not comment", "ünï", "y-axis"])
        case 9: return pick(["\"a\\tb\\u00e9\"", "\"yes\"", "\"123\"", "\"\"", "\"line\\nbreak\"", "\"quote \\\" inside\""])
        case 10: return pick(["'it''s'", "'1.0'", "'~'", "' padded '", "'#hash'"])
        case 11: return pick(["2001:db8::1", "1.2.3.4", "v1.2.3", "--flag", "=x"])
        case 12 where !anchors.isEmpty: return "*" + pick(anchors)
        default: return pick(["plain", "Service", "ClusterIP", "kube-system", "TCP"])
        }
    }

    mutating func flow(depth: Int, inFlow: Bool) -> String {
        if depth > 2 || chance(50) {
            // Inside [ ] and { }, ", " ends a plain scalar and " #" starts a comment.
            while true {
                let value = scalar()
                if !inFlow || !(value.contains("#") || value.contains(":") || value == "-" || value.isEmpty) { return value }
            }
        }
        if chance(50) {
            return "[" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in flow(depth: depth + 1, inFlow: true) }.joined(separator: ", ") + "]"
        }
        var used = Set<String>()
        return "{" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in "\(key(&used)): \(flow(depth: depth + 1, inFlow: true))" }
            .joined(separator: ", ") + "}"
    }

    /// A new anchor name; it becomes usable by aliases only once its node is complete.
    mutating func anchor() -> String {
        anchorCount += 1
        return "a\(anchorCount)"
    }

    /// A block collection whose lines are indented by `indent`, ending with a newline.
    mutating func block(mapping: Bool, indent: Int, depth: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        var text = ""
        var used = Set<String>()
        if mapping, !mappingAnchors.isEmpty, chance(20) {
            text += pad + "<<: " + (chance(50) ? "*" + pick(mappingAnchors) : "[*" + pick(mappingAnchors) + "]") + "\n"
            used.insert("<<")
        }
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let head = mapping ? pad + key(&used) + ":" : pad + "-"
            let nested = depth < 3 && chance(35)
            if nested {
                let childIsMapping = chance(60)
                let anchored = chance(25) ? anchor() : ""
                let body = block(mapping: childIsMapping, indent: indent + 2, depth: depth + 1)
                text += head + (anchored.isEmpty ? "" : " &" + anchored) + "\n" + body
                if !anchored.isEmpty {
                    anchors.append(anchored)
                    if childIsMapping { mappingAnchors.append(anchored) }
                }
                if chance(15) { text += pad + "# a comment\n" }
            } else if chance(8) {
                text += head + " |\n" + pad + "  first line\n" + pad + "  second: line\n"
            } else if chance(5) {
                text += head + " >-\n" + pad + "  folded\n" + pad + "  text\n"
            } else {
                let value = flow(depth: 0, inFlow: false)
                // An alias cannot carry an anchor of its own.
                let anchored = chance(10) && !value.hasPrefix("*") ? anchor() : ""
                text += head + (value.isEmpty && anchored.isEmpty ? "" : " " + (anchored.isEmpty ? "" : "&\(anchored) ") + value) + "\n"
                if !anchored.isEmpty { anchors.append(anchored) }
            }
        }
        return text
    }
}
