/// Which approvers count for which approval stage.
///
/// Each stage needs `required` distinct people among its users and groups; one person counts for
/// one stage only; all stages must be met. That is a bipartite b-matching (people on one side,
/// stage slots on the other), solved here with augmenting paths, so an assignment is found
/// whenever one exists, not just when a greedy pass happens to find it.
public struct StageAssignment: Hashable, Sendable {
    /// The counted approvers, in the order they were given, each with the stage they fill.
    public var counted: [(approver: String, stage: String)] {
        order.compactMap { user in stageOf[user].map { (user, stages[$0].name) } }
    }
    /// Stages still short of approvers, with how many more each needs.
    public var missing: [(stage: String, needed: Int)] {
        stages.indices.compactMap { index in
            let needed = stages[index].effectiveRequired - load[index]
            return needed > 0 ? (stages[index].name, needed) : nil
        }
    }
    /// Whether every stage has its `required` approvers.
    public var isComplete: Bool { missing.isEmpty }

    private let stages: [ApprovalStage]
    private let order: [String]
    private var stageOf: [String: Int] = [:]
    private var load: [Int]

    /// Assigns `approvers` (already filtered: approving, not the requester, bound to the request)
    /// to `stages`. People are identified by user name, so one user listed twice, or belonging to
    /// several groups of several stages, counts once. Earlier approvers are placed first, so the
    /// result is deterministic for a given input order.
    public init(stages: [ApprovalStage], approvers: [Identity]) {
        self.stages = stages
        self.load = Array(repeating: 0, count: stages.count)
        var seen = Set<String>()
        var people: [Identity] = []
        for approver in approvers where seen.insert(approver.user).inserted {
            people.append(approver)
        }
        self.order = people.map(\.user)
        let eligible: [String: [Int]] = Dictionary(
            uniqueKeysWithValues: people.map { person in
                (person.user, stages.indices.filter { stages[$0].includes(person) })
            })
        var holders: [[String]] = Array(repeating: [], count: stages.count)
        for person in people {
            var visited = Set<Int>()
            _ = Self.augment(
                person.user, eligible: eligible, stages: stages, holders: &holders, visited: &visited)
        }
        for (index, users) in holders.enumerated() {
            load[index] = users.count
            for user in users { stageOf[user] = index }
        }
    }

    /// Tries to seat `user` in some stage, moving already seated people along an augmenting path.
    private static func augment(
        _ user: String, eligible: [String: [Int]], stages: [ApprovalStage],
        holders: inout [[String]], visited: inout Set<Int>
    ) -> Bool {
        for stage in eligible[user] ?? [] where visited.insert(stage).inserted {
            if holders[stage].count < stages[stage].effectiveRequired {
                holders[stage].append(user)
                return true
            }
            for (position, other) in holders[stage].enumerated()
            where augment(other, eligible: eligible, stages: stages, holders: &holders, visited: &visited) {
                holders[stage][position] = user
                return true
            }
        }
        return false
    }

    public static func == (lhs: StageAssignment, rhs: StageAssignment) -> Bool {
        lhs.stages == rhs.stages && lhs.order == rhs.order && lhs.stageOf == rhs.stageOf
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(order)
        hasher.combine(stageOf)
    }
}
