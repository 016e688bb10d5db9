import Elevation
import Foundation
import Logging
import YAML

/// A swift-log handler writing one JSON object per line to standard error (`--log-format json`):
/// `time`, `level`, `logger`, `message` and the metadata as strings.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String

    /// A handler for logger `label`.
    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: JSONValue] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[key] = .string("\(value)") }
        // Formatted by hand and written with JSONWriter (sorted keys, as before): Foundation's
        // ISO8601DateFormatter loads ICU's calendar and time-zone data and is slow to create,
        // and this runs for every line.
        fields["time"] = .string(RFC3339.format(Date()))
        fields["level"] = .string(event.level.rawValue)
        fields["logger"] = .string(label)
        fields["message"] = .string("\(event.message)")
        var line = JSONWriter.encode(.object(fields))
        line.append(UInt8(ascii: "\n"))
        FileHandle.standardError.write(Data(line))
    }
}
