"""The table of malformed and hostile ElevationRequests and ElevationPolicies.

Each case is (id, kind, edit, expected, words):
- kind `request` edits a valid request under policy `base`; kind `policy` edits a valid policy
  (a request under it is created too, and must be refused as well);
- expected is `schema` (the sandbox refuses it with 422 from the CRD's OpenAPI schema, or 413),
  `Denied:<reason>` (the controller denies the request), `NotReady:<reason>` (the policy's
  Ready=False, its request Denied PolicyNotReady), or `Revoked:<reason>`;
- words must all appear in the refusal's message, so it names the thing.
The CRD's CEL rules are not evaluated by the sandbox (docs/sandbox.md); where a case is one a
CEL rule refuses in a real cluster, the controller's own refusal is what is checked here, and
test_crd_cel.py checks the CEL rule itself.
"""

BIG = "x" * (1 << 20)


def spec(**fields):
    def edit(obj):
        obj["spec"].update(fields)
    return edit


def subject(value):
    return spec(subject=value)


def sa(namespace, name):
    return subject({"serviceAccount": {"namespace": namespace, "name": name}})


def principal(value):
    return subject({"requestPrincipal": value})


def rules(*items):
    return spec(rules=list(items))


def rule(ports=("8080",), methods=("GET",), paths=("/admin/queue",)):
    item = {}
    if ports is not None:
        item["ports"] = list(ports)
    if methods is not None:
        item["methods"] = list(methods)
    if paths is not None:
        item["paths"] = list(paths)
    return item


def meta(**fields):
    def edit(obj):
        obj["metadata"].update(fields)
    return edit


def both(*edits):
    def edit(obj):
        for one in edits:
            one(obj)
    return edit


def drop(*path):
    def edit(obj):
        node = obj
        for key in path[:-1]:
            node = node[key]
        node.pop(path[-1], None)
    return edit


REQUESTS = [
    # huge strings
    ("huge reason", spec(reason="INC-1 " + BIG), "schema", ["spec.reason"]),
    ("huge policy name", spec(policy="p" * 10000), "schema", ["spec.policy"]),
    ("body over 3 MiB", spec(reason="INC-1", note=BIG * 4), "schema", []),
    ("1000 long paths outside the policy", rules(*[rule(paths=[f"/other/{i}/" + "a" * 900 for i in range(32)]) for _ in range(30)]),
     "Denied:RuleNotAllowed", ["spec.rules"]),
    # principal injection
    ("service account name *", sa("tools", "*"), "schema", ["spec.subject.serviceAccount.name"]),
    ("service account namespace *", sa("*", "debugger"), "schema", ["spec.subject.serviceAccount.namespace"]),
    ("principal path as a name", sa("tools", "cluster.local/ns/x/sa/*"), "schema", ["spec.subject.serviceAccount.name"]),
    ("quotes in a name", sa("tools", 'debugger"]}},{"source":{"principals":["*"'), "schema", ["spec.subject.serviceAccount.name"]),
    ("newline in a name", sa("tools", "debugger\n- *"), "schema", ["spec.subject.serviceAccount.name"]),
    ("dot-dot in a name", sa("tools", "../admin"), "schema", ["spec.subject.serviceAccount.name"]),
    ("namespace with a slash", sa("tools/sa/x", "debugger"), "schema", ["spec.subject.serviceAccount.namespace"]),
    ("request principal *", principal("*"), "Denied:SubjectNotAllowed", ["spec.subject"]),
    ("request principal **", principal("**"), "schema", ["spec.subject.requestPrincipal"]),
    ("request principal of another issuer", principal("https://evil.example.com/x"), "Denied:SubjectNotAllowed", ["spec.subject"]),
    ("request principal suffix wildcard", principal("*idp.example.com/x"), "Denied:SubjectNotAllowed", ["spec.subject"]),
    ("service account outside the policy", sa("tools", "debugger2"), "Denied:SubjectNotAllowed", ["tools/debugger2"]),
    ("both subject forms", subject({"serviceAccount": {"namespace": "tools", "name": "debugger"}, "requestPrincipal": "https://idp.example.com/x"}),
     "Denied:SubjectNotAllowed", ["subject"]),
    ("no subject form", subject({}), "Denied:SubjectNotAllowed", ["subject"]),
    # unicode tricks
    ("cyrillic letter in the policy name", spec(policy="bаse"), "schema", ["spec.policy"]),
    ("trailing space in the policy name", spec(policy="base "), "schema", ["spec.policy"]),
    ("cyrillic letter in a path", rules(rule(paths=["/аdmin/queue"])), "Denied:RuleNotAllowed", ["spec.rules"]),
    ("upper-case path", rules(rule(paths=["/ADMIN/queue"])), "Denied:RuleNotAllowed", ["spec.rules"]),
    ("right-to-left override in a service account", sa("tools", "debugger\u202e"), "schema", ["spec.subject.serviceAccount.name"]),
    ("zero-width space in a namespace", sa("to\u200bols", "debugger"), "schema", ["spec.subject.serviceAccount.namespace"]),
    ("unicode object name", meta(name="ünïcode-request"), "schema", ["metadata.name"]),
    ("object name over 253 characters", meta(name="r" * 254), "schema", ["metadata.name"]),
    # wildcards in odd places
    ("path *", rules(rule(paths=["*"])), "Denied:RuleNotAllowed", ["spec.rules"]),
    ("wildcard in the middle of a path", rules(rule(paths=["/admin/*/x"])), "schema", ["spec.rules[0].paths[0]"]),
    ("two wildcards in a path", rules(rule(paths=["*/admin/*"])), "schema", ["spec.rules[0].paths[0]"]),
    ("suffix path", rules(rule(paths=["*/queue"])), "Denied:RuleNotAllowed", ["spec.rules"]),
    ("braces in a path", rules(rule(paths=["/admin/{id}"])), "schema", ["spec.rules[0].paths[0]"]),
    ("method *", rules(rule(methods=["*"])), "schema", ["spec.rules[0].methods[0]"]),
    ("lower-case method", rules(rule(methods=["get"])), "schema", ["spec.rules[0].methods[0]"]),
    ("port *", rules(rule(ports=["*"])), "schema", ["spec.rules[0].ports[0]"]),
    ("port 0", rules(rule(ports=["0"])), "schema", ["spec.rules[0].ports[0]"]),
    ("port 65536", rules(rule(ports=["65536"])), "schema", ["spec.rules[0].ports[0]"]),
    ("port range", rules(rule(ports=["8000-9000"])), "schema", ["spec.rules[0].ports[0]"]),
    ("port outside the policy", rules(rule(ports=["9090"])), "Denied:RuleNotAllowed", ["spec.rules"]),
    ("rule without ports (all ports)", rules(rule(ports=None)), "Denied:RuleNotAllowed", ["spec.rules"]),
    ("empty rule (everything)", rules({}), "Denied:RuleNotAllowed", ["spec.rules"]),
    ("no rules at all in the list", rules(), "schema", ["spec.rules"]),
    ("33 rules", rules(*[rule() for _ in range(33)]), "schema", ["spec.rules"]),
    # durations
    ("negative duration", spec(duration="-5m"), "schema", ["spec.duration"]),
    ("zero duration", spec(duration="0s"), "Denied:InvalidDuration", ["spec.duration"]),
    ("absurd duration", spec(duration="99999999999999h"), "Denied:InvalidDuration", ["spec.duration"]),
    ("duration just over the maximum", spec(duration="1h0m0.000000001s"), "Denied:DurationTooLong", ["spec.duration"]),
    ("duration in exponent form", spec(duration="1e3s"), "schema", ["spec.duration"]),
    ("duration with a space", spec(duration="10 m"), "schema", ["spec.duration"]),
    ("duration without a unit", spec(duration="600"), "schema", ["spec.duration"]),
    ("empty duration", spec(duration=""), "schema", ["spec.duration"]),
    ("duration as a number", spec(duration=600), "schema", ["spec.duration"]),
    # unknown fields and types (applied with fieldValidation=Strict, as kubectl apply does)
    ("unknown spec field", spec(allowAll=True), "schema", ["allowAll"]),
    ("unknown field in the subject", subject({"serviceAccount": {"namespace": "tools", "name": "debugger", "cluster": "*"}}),
     "schema", ["cluster"]),
    ("rules as a string", spec(rules="*"), "schema", ["spec.rules"]),
    ("breakGlass as a string", spec(breakGlass="yes"), "schema", ["spec.breakGlass"]),
    ("missing requester", drop("spec", "requester"), "schema", ["spec.requester"]),
    ("empty requester user", spec(requester={"user": ""}), "schema", ["spec.requester.user"]),
    # the policy's own limits
    ("requester outside the policy", spec(requester={"user": "mallory@example.com"}), "Denied:RequesterNotAllowed", ["mallory@example.com"]),
    ("no reason", drop("spec", "reason"), "Denied:ReasonRequired", ["reason"]),
    ("missing policy", spec(policy="no-such-policy"), "Denied:PolicyNotFound", ["no-such-policy"]),
    ("extends a request that does not exist", spec(extends="ghost"), "Denied:ExtendsInvalid", ["ghost"]),
    ("break-glass under a policy without it", spec(breakGlass=True), "Denied:BreakGlassNotAllowed", ["break"]),
    ("revoked at creation", spec(revoked=True), "Revoked:Revoked", ["revoked"]),
]

POLICIES = [
    ("policy subjects empty", spec(subjects=[]), "schema", ["spec.subjects"]),
    ("policy service account namespace *", spec(subjects=[{"serviceAccount": {"namespace": "*", "name": "*"}}]), "schema",
     ["spec.subjects[0].serviceAccount.namespace"]),
    ("policy path wildcard in the middle", spec(rules=[rule(paths=["/admin/*/x"])]), "schema", ["spec.rules[0].paths[0]"]),
    ("policy default longer than max", spec(defaultDuration="2h", maxDuration="1h"), "NotReady:InvalidDuration", ["spec.defaultDuration"]),
    ("policy zero max duration", spec(maxDuration="0s", defaultDuration="0s"), "NotReady:InvalidDuration", ["must be longer than 0s"]),
    ("policy absurd max duration", spec(maxDuration="99999999999999h"), "NotReady:InvalidDuration", ["spec.maxDuration", "292 years"]),
    ("policy reason pattern that does not compile", spec(approval={"autoApprove": {"maxDuration": "10m", "reasonPattern": "(["}}),
     "NotReady:InvalidReasonPattern", ["spec.approval.autoApprove.reasonPattern"]),
    # A requester controls the reason: a pattern with nested repetition would let a 40-character
    # reason stall the controller for hours (Swift Regex backtracks and cannot be cancelled).
    ("policy reason pattern with nested repetition (ReDoS)",
     spec(approval={"autoApprove": {"maxDuration": "10m", "reasonPattern": "^INC-[0-9]+(a+)+$"}}),
     "NotReady:InvalidReasonPattern", ["repeats the group (a+)+"]),
    ("policy linkerd mesh with a workload selector", spec(mesh="linkerd"), "NotReady:", ["spec"]),
    ("policy without a target form", spec(target={}), "NotReady:InvalidTarget", ["spec.target"]),
    ("policy empty selector (every workload)", spec(target={"workloadSelector": {"matchLabels": {}}}), "schema",
     ["spec.target.workloadSelector.matchLabels"]),
    ("policy on workloads with no default deny", spec(target={"workloadSelector": {"matchLabels": {"app": "ledger"}}}),
     "NotReady:NoDefaultDeny", ["no ALLOW AuthorizationPolicy outside Elevator covers app=ledger"]),
    ("policy stage requiring nobody", spec(approval={"stages": [{"name": "x", "required": 1}]}), "NotReady:InvalidStage", ["spec.approval.stages[0]"]),
    ("policy stage requiring 0", spec(approval={"stages": [{"name": "x", "users": ["bob"], "required": 0}]}), "schema", ["required"]),
    ("policy unknown field", spec(allowEverything=True), "schema", ["allowEverything"]),
    ("policy port 0", spec(rules=[rule(ports=["0"])]), "schema", ["spec.rules[0].ports[0]"]),
    ("policy method FOO", spec(rules=[rule(methods=["FOO"])]), "schema", ["spec.rules[0].methods[0]"]),
]
