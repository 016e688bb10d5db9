import Elevation
import Foundation
import YAML

/// `-o`: how list, status and request print.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// Human-readable text (the default).
    case text
    /// Pretty JSON with sorted keys.
    case json
    /// YAML as the YAML module emits it.
    case yaml

    /// Parses `-o`; nil means text.
    public static func parse(_ text: String?) throws(PluginError) -> OutputFormat {
        guard let text else { return .text }
        guard let format = OutputFormat(rawValue: text), format != .text else { throw .badOutput(text) }
        return format
    }
}

/// Turns plugin results into terminal text. Pure: the time and whether to colour are inputs, so
/// output is testable and never depends on the terminal it is tested in.
public struct PluginOutput: Sendable {
    /// Whether to colour phases (only on a TTY and without NO_COLOR; see `shouldColour`).
    public var colour: Bool
    /// "Now", for ages and remaining times.
    public var now: Date

    /// An output renderer.
    public init(colour: Bool, now: Date = Date()) {
        self.colour = colour
        self.now = now
    }

    /// Colour only when stdout is a terminal and `NO_COLOR` is unset or empty (no-color.org).
    public static func shouldColour(isTTY: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        isTTY && (environment["NO_COLOR"] ?? "").isEmpty
    }

    /// The objects as pretty JSON or YAML (a list prints as a `v1 List`, like kubectl).
    public func structured(_ value: some Encodable, _ format: OutputFormat) throws -> String {
        let json = try JSONValueEncoder().encode(value)
        switch format {
        case .yaml: return try YAMLEmitter().emit(json)
        default:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(json), as: UTF8.self) + "\n"
        }
    }

    /// A kubectl-style list wrapper for `-o json|yaml` of many requests.
    public struct List<Item: Encodable>: Encodable {
        /// Always `v1`.
        public var apiVersion = "v1"
        /// Always `List`.
        public var kind = "List"
        /// The objects.
        public var items: [Item]

        /// A list of `items`.
        public init(items: [Item]) { self.items = items }
    }

    /// The `list` table: NAME, POLICY, SUBJECT, PHASE, EXPIRES, AGE (NAMESPACE first with `-A`).
    public func table(_ requests: [ElevationRequest], allNamespaces: Bool) -> String {
        var rows: [[String]] = [(allNamespaces ? ["NAMESPACE"] : []) + ["NAME", "POLICY", "SUBJECT", "PHASE", "EXPIRES", "AGE"]]
        for request in requests {
            let expires = request.status?.expiresAt.map { relative($0) } ?? "-"
            let age = request.metadata.creationTimestamp.map { Self.short(now.timeIntervalSince($0)) } ?? "-"
            rows.append((allNamespaces ? [request.metadata.namespace ?? ""] : [])
                + [request.metadata.name, request.spec.policy, request.spec.subject.display, request.phase.rawValue, expires, age])
        }
        if requests.isEmpty { return "No ElevationRequests found.\n" }
        let phaseColumn = allNamespaces ? 4 : 3
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.enumerated().map { index, row in
            row.enumerated().map { column, cell in
                let padded = column == row.count - 1 ? cell : cell.padding(toLength: widths[column] + 3, withPad: " ", startingAt: 0)
                return index > 0 && column == phaseColumn ? paint(padded, phase: cell) : padded
            }.joined()
        }.joined(separator: "\n") + "\n"
    }

    /// The `status` text: phase, window, approvals, conditions and grant objects.
    public func status(_ request: ElevationRequest, approvals: [ElevationApproval]) -> String {
        var lines: [String] = []
        let spec = request.spec
        lines.append("Name:       \(request.metadata.name)")
        lines.append("Namespace:  \(request.metadata.namespace ?? "")")
        lines.append("Phase:      \(paint(request.phase.rawValue, phase: request.phase.rawValue))")
        lines.append("Policy:     \(spec.policy)")
        lines.append("Requester:  \(spec.requester.user)\(spec.requester.groups.map { " (" + $0.joined(separator: ", ") + ")" } ?? "")")
        lines.append("Subject:    \(spec.subject.display)")
        lines.append("Rules:      \(spec.rules.map { $0.map(\.display).joined(separator: "; ") } ?? "all of the policy's rules")")
        lines.append("Duration:   \(spec.duration ?? "policy default")")
        if let reason = spec.reason { lines.append("Reason:     \(reason)") }
        if spec.breakGlass == true { lines.append("Break-glass: yes") }
        if let extends = spec.extends { lines.append("Extends:    \(extends)") }
        if spec.revoked == true { lines.append("Revoked:    yes") }
        let status = request.status
        if let granted = status?.grantedAt { lines.append("Granted:    \(Self.timestamp(granted))") }
        if let expires = status?.expiresAt {
            let label = request.phase == .pending ? "Approve by:" : "Expires:   "
            lines.append("\(label) \(Self.timestamp(expires)) (\(relative(expires)))")
        }
        lines.append("Approvals:")
        let counted = status?.approvals ?? []
        if counted.isEmpty && approvals.isEmpty { lines.append("  none") }
        for record in counted {
            lines.append("  \(record.decision.rawValue) by \(record.approver) for stage \(record.stage)\(record.at.map { " at " + Self.timestamp($0) } ?? "")")
        }
        for approval in approvals where !counted.contains(where: { $0.approver == approval.spec.approver.user }) {
            lines.append("  \(approval.spec.decision.rawValue) by \(approval.spec.approver.user) (not counted yet)\(approval.spec.comment.map { ": " + $0 } ?? "")")
        }
        lines.append("Conditions:")
        let conditions = status?.conditions ?? []
        if conditions.isEmpty { lines.append("  none") }
        for condition in conditions {
            lines.append("  \(condition.type)=\(condition.status.rawValue) \(condition.reason): \(condition.message)")
        }
        lines.append("Grant:")
        let grant = status?.grant ?? []
        if grant.isEmpty { lines.append("  none") }
        for object in grant { lines.append("  \(object.kind) \(object.name) (\(object.apiVersion))") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A phase, coloured when colour is on: green Active, yellow Pending, red Denied/Revoked, grey Expired.
    public func paint(_ text: String, phase: String) -> String {
        guard colour else { return text }
        let code: String
        switch phase {
        case "Active": code = "32"
        case "Pending": code = "33"
        case "Denied", "Revoked": code = "31"
        default: code = "90"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    /// `in 9m`, `3m ago`.
    func relative(_ date: Date) -> String {
        let delta = date.timeIntervalSince(now)
        return delta >= 0 ? "in " + Self.short(delta) : Self.short(-delta) + " ago"
    }

    /// kubectl's short ages: `42s`, `9m`, `3h`, `2d`.
    static func short(_ seconds: TimeInterval) -> String {
        let value = max(0, Int(seconds))
        if value < 120 { return "\(value)s" }
        if value < 7200 { return "\(value / 60)m" }
        if value < 172_800 { return "\(value / 3600)h" }
        return "\(value / 86400)d"
    }

    static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
