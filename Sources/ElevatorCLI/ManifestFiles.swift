import Foundation

/// Finding and reading the manifest files named on a command line or in a test file.
enum ManifestFiles {
    /// The extensions read inside folders; a file named directly is read whatever its name.
    static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// The files of `paths`: each file itself, each folder's `.yaml`/`.yml`/`.json` files at any
    /// depth (hidden entries skipped), sorted so output and decisions are stable.
    ///
    /// Throws `CLIError.missingFile` for a path that does not exist and `CLIError.noManifests` for
    /// a folder without any manifest file.
    static func collect(_ paths: [String]) throws(CLIError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw .missingFile(path: path)
            }
            guard isFolder.boolValue else {
                files.append(path)
                continue
            }
            guard let enumerator = FileManager.default.enumerator(atPath: path) else {
                throw .unreadable(path: path, problem: "the folder cannot be listed")
            }
            var found: [String] = []
            while let relative = enumerator.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") {
                    enumerator.skipDescendants()
                    continue
                }
                let ext = (name as NSString).pathExtension.lowercased()
                guard extensions.contains(ext) else { continue }
                let full = (path as NSString).appendingPathComponent(relative)
                var nested: ObjCBool = false
                if FileManager.default.fileExists(atPath: full, isDirectory: &nested), !nested.boolValue {
                    found.append(full)
                }
            }
            // An empty folder is almost always a wrong path; passing silently would hide that in CI.
            guard !found.isEmpty else { throw .noManifests(path: path) }
            files += found.sorted()
        }
        return files
    }

    /// The text of `path` as UTF-8.
    static func read(_ path: String) throws(CLIError) -> String {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw .missingFile(path: path) }
        if isFolder.boolValue { throw .unreadable(path: path, problem: "it is a folder") }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, problem: "permission denied")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path, problem: "it is not UTF-8 text")
        }
        return text
    }
}
