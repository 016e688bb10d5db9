import Testing

@testable import Elevation
import TestSupport

@Suite struct StageAssignmentTests {
    @Test func greedyWouldFailButAnAssignmentExists() {
        // bob can serve either stage; carol only oncall. Seating bob in oncall first would leave
        // security empty: the matching must move bob to security.
        let stages = [
            ApprovalStage(name: "oncall", groups: ["oncall"], required: 1),
            ApprovalStage(name: "security", groups: ["security"], required: 1),
        ]
        let approvers = [Identity(user: "bob", groups: ["oncall", "security"]), Identity(user: "carol", groups: ["oncall"])]
        let assignment = StageAssignment(stages: stages, approvers: approvers)
        #expect(assignment.isComplete)
        #expect(assignment.counted.map { "\($0.approver)=\($0.stage)" } == ["bob=security", "carol=oncall"])
    }

    @Test func onePersonInTwoGroupsCountsOnce() {
        let stages = [
            ApprovalStage(name: "oncall", groups: ["oncall"], required: 1),
            ApprovalStage(name: "security", groups: ["security"], required: 1),
        ]
        let bob = Identity(user: "bob", groups: ["oncall", "security"])
        let assignment = StageAssignment(stages: stages, approvers: [bob, bob])
        #expect(!assignment.isComplete)
        #expect(assignment.counted.count == 1)
        #expect(assignment.missing.count == 1)
    }

    @Test func requiredMeansDistinctPeople() {
        let stages = [ApprovalStage(name: "two", users: ["a", "b", "c"], required: 2)]
        #expect(!StageAssignment(stages: stages, approvers: [Identity(user: "a"), Identity(user: "a")]).isComplete)
        #expect(StageAssignment(stages: stages, approvers: [Identity(user: "a"), Identity(user: "c")]).isComplete)
        #expect(StageAssignment(stages: stages, approvers: [Identity(user: "a")]).missing.map(\.needed) == [1])
    }

    /// Exhaustive search: does any assignment of people to eligible stages meet every stage?
    static func bruteForce(stages: [ApprovalStage], people: [Identity]) -> Bool {
        var choice = Array(repeating: -1, count: people.count)
        func search(_ index: Int) -> Bool {
            if index == people.count {
                return stages.indices.allSatisfy { stage in choice.filter { $0 == stage }.count >= stages[stage].effectiveRequired }
            }
            for option in [-1] + stages.indices.filter({ stages[$0].includes(people[index]) }) {
                choice[index] = option
                if search(index + 1) { return true }
            }
            return false
        }
        return search(0)
    }

    @Test(arguments: [UInt64(11), 12, 13])
    func findsAnAssignmentWheneverOneExists(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let groups = ["g1", "g2", "g3"]
        var complete = 0
        for _ in 0..<1500 {
            let stages = (0..<Int.random(in: 1...3, using: &random)).map { index in
                ApprovalStage(
                    name: "s\(index)", users: Bool.random(using: &random) ? ["u\(Int.random(in: 0..<5, using: &random))"] : nil,
                    groups: [groups.randomElement(using: &random) ?? "g1"], required: Int.random(in: 1...2, using: &random))
            }
            let people = (0..<Int.random(in: 0...5, using: &random)).map { index in
                Identity(user: "u\(index)", groups: groups.filter { _ in Int.random(in: 0..<3, using: &random) == 0 })
            }
            let assignment = StageAssignment(stages: stages, approvers: people)
            let expected = Self.bruteForce(stages: stages, people: people)
            #expect(assignment.isComplete == expected, "stages \(stages) people \(people)")
            if assignment.isComplete {
                complete += 1
                // The assignment itself is valid: eligible people, one stage each, counts met.
                let byStage = Dictionary(grouping: assignment.counted, by: \.stage)
                for stage in stages {
                    let members = byStage[stage.name] ?? []
                    #expect(members.count >= stage.effectiveRequired)
                    for member in members {
                        #expect(people.first { $0.user == member.approver }.map(stage.includes) == true)
                    }
                }
                #expect(Set(assignment.counted.map(\.approver)).count == assignment.counted.count)
            }
        }
        #expect(complete > 50)
    }
}
