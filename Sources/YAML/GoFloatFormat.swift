/// Go's `strconv.FormatFloat(value, 'g', -1, 32)`, which sigs.k8s.io/yaml uses to turn float map
/// keys into strings (`1.5: x` becomes `"1.5"`, `1e6: x` becomes `"1e+06"`).
enum GoFloatFormat {
    static func formatFloat32G(_ value: Double) -> String {
        let single = Float(value)
        if single.isNaN { return ".nan" }
        if single.isInfinite { return single < 0 ? "-.inf" : ".inf" }
        let (negative, digits, pointPosition) = shortestDigits(single)
        let sign = negative ? "-" : ""
        guard let leading = digits.first else { return sign + "0" }
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= 6 {
            var text = sign + String(leading)
            if digits.count > 1 { text += "." + digits.dropFirst() }
            let magnitude = abs(exponent)
            text += (exponent < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + String(magnitude)
            return text
        }
        if pointPosition <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
        }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count)
        }
        let integral = digits.prefix(pointPosition)
        return sign + integral + "." + digits.dropFirst(pointPosition)
    }

    /// The shortest round-trip decimal digits of `value` (no leading or trailing zeros) and the
    /// position of the decimal point, so that value = 0.d1d2d3... x 10^pointPosition.
    static func shortestDigits(_ value: Float) -> (negative: Bool, digits: String, pointPosition: Int) {
        // Swift's description prints the shortest digits that round-trip, like Go's shortest mode.
        var text = Substring(value.description)
        var negative = false
        if text.first == "-" {
            negative = true
            text = text.dropFirst()
        }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        var integral = text
        var fraction = Substring("")
        if let dot = text.firstIndex(of: ".") {
            integral = text[..<dot]
            fraction = text[text.index(after: dot)...]
        }
        var digits = String(integral) + fraction
        var pointPosition = integral.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        if digits.isEmpty { pointPosition = 0 }
        return (negative, digits, pointPosition)
    }
}
