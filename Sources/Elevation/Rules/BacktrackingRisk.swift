/// Finds the regular-expression shapes that make a backtracking engine (Swift `Regex`) take
/// exponential time: a group that is repeated (`+`, `*`, `{n,}`) and itself contains a
/// repetition or an alternation, as in `(a+)+$` or `(a|aa)*`. A requester controls the reason
/// a policy's `reasonPattern` is matched against, so such a pattern would let anyone who may
/// create requests stall the controller's worker (measured: 18 characters take 9 s, each two
/// more about 7 times as long; Swift `Regex` cannot be cancelled or given a time limit).
///
/// Caveat: a syntactic check, not a proof. It catches the nested and alternating repetitions
/// behind classic ReDoS; polynomial shapes such as `.*.*.*x` stay possible but are bounded by
/// the reason's 1024-character limit.
enum BacktrackingRisk {
    /// The first repeated group that repeats or alternates inside, as written; nil when none.
    static func riskyGroup(in pattern: String) -> String? {
        let characters = Array(pattern)
        var open: [(start: Int, varies: Bool)] = []
        var inClass = false
        var index = 0
        func markOpenGroup() {
            if !open.isEmpty { open[open.count - 1].varies = true }
        }
        func repeats(after position: Int) -> Bool {
            guard position < characters.count else { return false }
            switch characters[position] {
            case "+", "*": return true
            case "{": return position + 1 < characters.count && characters[position + 1].isNumber
            default: return false
            }
        }
        while index < characters.count {
            let character = characters[index]
            if character == "\\" {
                index += 2
                continue
            }
            if inClass {
                if character == "]" { inClass = false }
                index += 1
                continue
            }
            switch character {
            case "[": inClass = true
            case "(": open.append((index, false))
            case ")":
                guard let group = open.popLast() else { break }
                let repeated = repeats(after: index + 1)
                if repeated, group.varies { return String(characters[group.start...index + 1]) }
                if repeated || group.varies { markOpenGroup() }
            case "|": markOpenGroup()
            default:
                if repeats(after: index) { markOpenGroup() }
            }
            index += 1
        }
        return nil
    }
}
