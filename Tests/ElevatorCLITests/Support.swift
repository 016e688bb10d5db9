import Foundation

/// The package root, found from this file's path, so tests can read examples/ and manifests/.
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// One folder per test process for every `temporaryFolder`, removed when the process exits
/// (the tests used to leave about 20 folders in the temporary directory per run).
private let testFolders: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("elevator-cli-tests-\(getpid())")
    atexit { try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("elevator-cli-tests-\(getpid())")) }
    return url
}()

/// A fresh temporary folder with `files` (relative name to text) written into it.
func temporaryFolder(_ files: [String: String]) throws -> String {
    let folder = testFolders.appendingPathComponent(UUID().uuidString)
    for (name, text) in files {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.path
}

let validPolicy = """
    apiVersion: elevator.dev/v1alpha1
    kind: ElevationPolicy
    metadata: {name: debug, namespace: payments}
    spec:
      target:
        workloadSelector:
          matchLabels: {app: payments}
      subjects:
        - serviceAccount: {namespace: tools, name: debugger}
      rules:
        - ports: ["8080"]
          methods: [GET]
          paths: ["/admin/*"]
      maxDuration: 1h

    """

let validRequest = """
    apiVersion: elevator.dev/v1alpha1
    kind: ElevationRequest
    metadata: {name: r1, namespace: payments}
    spec:
      policy: debug
      requester: {user: alice@example.com}
      subject: {serviceAccount: {namespace: tools, name: debugger}}
      rules: [{ports: ["8080"], methods: [GET], paths: [/admin/queue]}]
      duration: 10m

    """
