import Testing
import YAML

@testable import KubeSandbox

@Suite struct PatchTests {
    // The examples of RFC 7386, appendix A.
    @Test(arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"a":1,"e":null}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func mergePatchFollowsRFC7386(target: String, patch: String, expected: String) {
        #expect(Patch.merge(json(target), with: json(patch)) == json(expected))
    }

    @Test func jsonPatchAppliesEveryOperation() throws {
        let doc = json(#"{"spec":{"list":[1,2],"a":"x"}}"#)
        let ops = json(#"""
        [{"op":"add","path":"/spec/list/-","value":3},{"op":"replace","path":"/spec/a","value":"y"},
         {"op":"remove","path":"/spec/list/0"},{"op":"copy","from":"/spec/a","path":"/spec/b"},
         {"op":"move","from":"/spec/b","path":"/spec/c"},{"op":"test","path":"/spec/c","value":"y"},
         {"op":"add","path":"/spec/with~1slash","value":true}]
        """#)
        #expect(try Patch.json(doc, operations: ops) == json(#"{"spec":{"list":[2,3],"a":"y","c":"y","with/slash":true}}"#))
    }

    @Test(arguments: [
        #"[{"op":"test","path":"/a","value":2}]"#, #"[{"op":"remove","path":"/missing"}]"#,
        #"[{"op":"replace","path":"/b/c","value":1}]"#, #"[{"op":"add","path":"/a/b/c","value":1}]"#,
    ])
    func failingJSONPatchesAreInvalid(ops: String) {
        #expect(throws: SandboxError.self) { try Patch.json(json(#"{"a":1}"#), operations: json(ops)) }
    }
}
