import YAML

/// One watch event as it travels from the store to every matching watcher.
///
/// The wire line (`{"type":...,"object":...}\n`) is encoded once when the event is made and
/// shared by all watchers, so fan-out to thousands of watchers costs no re-encoding.
public struct WatchEvent: Sendable {
    /// `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR`.
    public var type: String
    /// The object (or a `Status` for `ERROR`).
    public var object: JSONValue
    /// The global resourceVersion of the change (0 for synthetic events).
    public var resourceVersion: Int64
    /// The storage key of the object's type (`configmaps`, `widgets.example.com`).
    var storageKey: String
    /// The line written to the HTTP stream, newline included.
    var line: [UInt8]

    init(type: String, object: JSONValue, objectBytes: [UInt8]? = nil, resourceVersion: Int64, storageKey: String) {
        self.type = type
        self.object = object
        self.resourceVersion = resourceVersion
        self.storageKey = storageKey
        var line: [UInt8] = Array("{\"type\":\"\(type)\",\"object\":".utf8)
        if let objectBytes { line.append(contentsOf: objectBytes) } else { JSONWriter.write(object, into: &line) }
        line.append(contentsOf: "}\n".utf8)
        self.line = line
    }
}

/// An object as stored: the value and its JSON encoding, made once per write so reads and
/// watch events do not re-encode.
public struct StoredObject: Sendable {
    /// The object.
    public var value: JSONValue
    /// Its compact JSON.
    public var bytes: [UInt8]

    init(_ value: JSONValue) {
        self.value = value
        self.bytes = JSONWriter.encode(value)
    }
}
