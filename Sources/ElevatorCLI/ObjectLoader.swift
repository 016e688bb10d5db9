import Elevation
import Foundation
import YAML

/// Reads manifests for `render` and `test`: files or folders of YAML, or YAML nodes written inline
/// in a test file, as Elevator objects or as plain JSON (mesh objects).
enum ObjectLoader {
    /// The document roots of `paths` (files or folders), empty documents left out.
    static func documents(paths: [String]) throws(CLIError) -> [YAMLNode] {
        var roots: [YAMLNode] = []
        for file in try ManifestFiles.collect(paths) {
            let text = try ManifestFiles.read(file)
            do {
                roots += try YAMLParser().parseDocuments(text, file: file).filter { !isEmpty($0) }
            } catch {
                throw .invalidManifest(detail: "\(error)")
            }
        }
        return roots
    }

    /// The nodes an item list of a test file stands for: a string item is a path (file or folder)
    /// relative to `base`; a mapping item is one object written inline; a sequence of them, both.
    static func documents(items node: YAMLNode?, base: String) throws(CLIError) -> [YAMLNode] {
        guard let node else { return [] }
        let items = node.kind == .sequence ? node.elements : [node]
        var roots: [YAMLNode] = []
        for item in items {
            switch item.kind {
            case .scalar:
                let path = item.scalar ?? ""
                roots += try documents(paths: [path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)])
            case .mapping:
                roots.append(item)
            case .sequence:
                throw .invalidTest(detail: "\(item.mark): a list inside a list; give paths or objects")
            }
        }
        return roots
    }

    /// `root` as an Elevator object, with the YAML module's positioned message on failure; when
    /// `kind` is given, any other kind is refused before decoding (so the message is about the kind).
    static func object(_ root: YAMLNode, kind: String? = nil) throws(CLIError) -> ElevationObject {
        guard root["apiVersion"]?.scalar?.hasPrefix(ElevationAPI.group + "/") ?? true else {
            throw .unexpectedKind(
                file: root.file, line: root.line, column: root.column,
                found: "\(root["kind"]?.scalar ?? "?") (\(root["apiVersion"]?.scalar ?? "?"))",
                expected: kind.map { "an \($0) of \(ElevationAPI.apiVersion)" }
                    ?? "an ElevationPolicy, ElevationRequest or ElevationApproval of \(ElevationAPI.apiVersion)")
        }
        if let kind, let found = root["kind"]?.scalar, found != kind {
            throw unexpected(root, expected: kind)
        }
        do {
            return try YAMLDecoder().decode(ElevationObject.self, from: root)
        } catch {
            throw .invalidManifest(detail: "\(error)")
        }
    }

    /// The policies among `roots`. Other documents are skipped: a GitOps folder holds requests,
    /// mesh objects and test files beside its policies.
    static func policies(_ roots: [YAMLNode]) throws(CLIError) -> [ElevationPolicy] {
        var policies: [ElevationPolicy] = []
        for root in roots where root["kind"]?.scalar == "ElevationPolicy" {
            if case .policy(let policy) = try object(root, kind: "ElevationPolicy") { policies.append(policy) }
        }
        return policies
    }

    /// The plain JSON of `roots` (mesh objects are not Elevator kinds).
    static func json(_ roots: [YAMLNode]) throws(CLIError) -> [JSONValue] {
        var values: [JSONValue] = []
        for root in roots {
            do { values.append(try root.toJSON()) } catch { throw .invalidManifest(detail: "\(error)") }
        }
        return values
    }

    static func unexpected(_ root: YAMLNode, expected: String) -> CLIError {
        let at = root["kind"] ?? root
        return .unexpectedKind(
            file: at.file, line: at.line, column: at.column, found: root["kind"]?.scalar ?? "(none)", expected: expected)
    }

    static func isEmpty(_ root: YAMLNode) -> Bool {
        root.kind == .scalar && ((root.scalar ?? "").isEmpty || root.scalar == "null" || root.scalar == "~")
    }

    /// The policy a request names: same name, and the request's namespace (when it has none, as
    /// `kubectl apply` would fill it from the context, the only policy of that name).
    static func policy(for request: ElevationRequest, in policies: [ElevationPolicy], searched: String) throws(CLIError)
        -> ElevationPolicy
    {
        let named = policies.filter { $0.metadata.name == request.spec.policy }
        if let namespace = request.metadata.namespace {
            if let match = named.first(where: { ($0.metadata.namespace ?? namespace) == namespace }) { return match }
        } else if named.count == 1, let only = named.first {
            return only
        }
        throw .noSuchPolicy(name: request.spec.policy, namespace: request.metadata.namespace ?? "(unset)", searched: searched)
    }
}
