/// One of Istio's string-match forms, as used for `paths`, `principals` and `requestPrincipals`:
/// exact `abc`, prefix `abc*`, suffix `*abc`, or presence `*` (any non-empty value).
///
/// Istio has no other wildcard: a `*` in the middle, or at both ends, is not a pattern but a
/// literal that never matches what people expect, so `init(parsing:)` rejects it. Path templates
/// (`{*}`, `{**}`) are not supported either.
public enum PathPattern: Hashable, Sendable {
    case exact(String)
    case prefix(String)
    case suffix(String)
    case any

    /// Reads `text`; nil when it is empty or has a `*` anywhere but at one end.
    public init?(parsing text: String) {
        if text == "*" {
            self = .any
            return
        }
        guard !text.isEmpty else { return nil }
        let stars = text.filter { $0 == "*" }.count
        if stars == 0 {
            self = .exact(text)
        } else if stars == 1, text.hasSuffix("*") {
            self = .prefix(String(text.dropLast()))
        } else if stars == 1, text.hasPrefix("*") {
            self = .suffix(String(text.dropFirst()))
        } else {
            return nil
        }
    }

    /// Whether Istio would match the concrete value `value` against this pattern.
    public func matches(_ value: String) -> Bool {
        switch self {
        case .exact(let text): return value == text
        case .prefix(let text): return value.hasPrefix(text)
        case .suffix(let text): return value.hasSuffix(text)
        case .any: return !value.isEmpty
        }
    }

    /// Whether every value this pattern matches is also matched by `outer`.
    ///
    /// Sound: true only when containment really holds. Each case compares byte strings, as
    /// Envoy's string matchers do (no normalisation here; Istio normalises paths before matching).
    public func isInside(_ outer: PathPattern) -> Bool {
        switch (self, outer) {
        case (_, .any):
            // `.any` matches every non-empty value; every pattern here matches only non-empty
            // values except `prefix("")`/`suffix("")`, which `init(parsing:)` turns into `.any`.
            return true
        case (.exact(let text), _):
            return outer.matches(text)
        case (.prefix(let inner), .prefix(let outerText)):
            return inner.hasPrefix(outerText)
        case (.suffix(let inner), .suffix(let outerText)):
            return inner.hasSuffix(outerText)
        default:
            return false
        }
    }

    /// The text form Istio reads.
    public var text: String {
        switch self {
        case .exact(let text): return text
        case .prefix(let text): return text + "*"
        case .suffix(let text): return "*" + text
        case .any: return "*"
        }
    }
}
