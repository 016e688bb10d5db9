import Elevation
import ElevatorPlugin
import Testing

/// The plugin's argument forms and their one-sentence errors.
@Suite("kubectl elevate arguments")
struct PluginArgumentTests {
    @Test("--subject forms", arguments: [
        ("sa:tools/debugger", Subject.serviceAccount("tools", "debugger")),
        ("jwt:https://idp.example.com/alice", Subject(requestPrincipal: "https://idp.example.com/alice")),
    ])
    func subjects(text: String, expected: Subject) throws {
        #expect(try PluginArguments.subject(text) == expected)
    }

    @Test("bad --subject is one sentence with the forms", arguments: ["tools/debugger", "sa:tools", "sa:/x", "sa:a/b/c", "jwt:alice", ""])
    func badSubjects(text: String) {
        #expect(throws: PluginError.badSubject(text)) { try PluginArguments.subject(text) }
        #expect(PluginError.badSubject(text).description.contains("use sa:NAMESPACE/NAME for a service account or jwt:ISSUER/SUBJECT"))
    }

    @Test("bad --for is one sentence with examples", arguments: ["10", "ten minutes", "-5m", "0s", ""])
    func badDurations(text: String) {
        #expect(throws: PluginError.badDuration(text)) { try PluginArguments.duration(text) }
    }

    @Test("--for takes Go durations", arguments: ["10m", "1h30m", "90s"])
    func durations(text: String) throws {
        #expect(try PluginArguments.duration(text) == text)
    }

    @Test("--rule builds an access rule; repeated keys OR their values")
    func rules() throws {
        #expect(try PluginArguments.rule("port=8080,method=get,path=/admin/queue,path=/debug/*")
            == AccessRule(ports: ["8080"], methods: ["GET"], paths: ["/admin/queue", "/debug/*"]))
    }

    @Test("bad --rule names the part that is wrong", arguments: [
        ("port=99999", "has port 99999, which is not a number from 1 to 65535"),
        ("method=FETCH", "has method FETCH, which is not an HTTP method"),
        ("path=admin", "has path admin, which does not start with / or *"),
        ("host=x", "has the key host, which is not port, method or path"),
        ("port", "has \"port\", which is not key=value"),
    ])
    func badRules(text: String, reason: String) {
        #expect(throws: PluginError.badRule(text, reason: reason)) { try PluginArguments.rule(text) }
    }

    @Test("-o takes json or yaml only")
    func outputs() throws {
        #expect(try OutputFormat.parse(nil) == .text)
        #expect(try OutputFormat.parse("yaml") == .yaml)
        #expect(throws: PluginError.badOutput("wide")) { try OutputFormat.parse("wide") }
    }

    @Test("colour only on a TTY and never with NO_COLOR", arguments: [
        (true, [String: String](), true), (false, [:], false), (true, ["NO_COLOR": "1"], false), (true, ["NO_COLOR": ""], true),
    ])
    func colour(isTTY: Bool, environment: [String: String], expected: Bool) {
        #expect(PluginOutput.shouldColour(isTTY: isTTY, environment: environment) == expected)
    }
}
