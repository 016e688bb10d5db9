/// Names and label values that always fit Kubernetes' limits, stable for a given input.
enum ObjectName {
    /// `name` if it is at most 253 characters; otherwise a prefix, `-`, and the first 10 hex
    /// digits of its SHA-256, 253 characters in all. The prefix loses trailing `-` and `.` so the
    /// result stays a valid DNS subdomain when `name` was one. Distinct long names keep distinct
    /// results (up to a 40-bit hash collision).
    static func dnsSubdomain(_ name: String) -> String {
        shortened(name, limit: 253)
    }

    /// `value` as a label value (at most 63 characters, starting and ending alphanumerically).
    static func labelValue(_ value: String) -> String {
        shortened(value, limit: 63)
    }

    private static func shortened(_ name: String, limit: Int) -> String {
        guard name.utf8.count > limit else { return name }
        let hash = String(SHA256.hex(name).prefix(10))
        var prefix = String(name.prefix(limit - hash.count - 1))
        while let last = prefix.last, last == "-" || last == "." { prefix.removeLast() }
        return prefix + "-" + hash
    }
}
