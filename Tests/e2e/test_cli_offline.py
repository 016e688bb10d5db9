"""The offline commands of the built binary (`elevator lint`, `test`, `render`) as a user runs them:
exact lines, exit codes, and mesh objects the real Istio CRD accepts. scripts/test.sh builds
.build/debug/elevator before pytest runs."""

import json
import pathlib
import shutil
import subprocess

import pytest
import yaml

import crdcheck
import istio_policy_check

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = ROOT / ".build" / "debug" / "elevator"
GITOPS = ROOT / "examples" / "gitops"
BROKEN = pathlib.Path(__file__).resolve().parent / "fixtures" / "lint" / "broken.yaml"


def elevator(*args, cwd=ROOT):
    assert BINARY.exists(), f"{BINARY} is missing: run swift build --product elevator first"
    return subprocess.run([str(BINARY), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=60)


def assert_one_sentence(text):
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Fatal error" not in text and "Stack dump" not in text and "Error(" not in text, text


def test_example_repository_passes():
    result = elevator("test", "examples/gitops")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "10 passed, 0 failed"
    assert all(line.startswith("PASS ") for line in lines[:-1])
    assert "PASS a ticketed ten-minute request is granted at once (autoApprove)" in lines


def test_wrong_expectations_fail_with_a_readable_diff(tmp_path):
    repo = tmp_path / "gitops"
    shutil.copytree(GITOPS, repo)
    test_file = repo / "tests" / "payments-debug.test.yaml"
    text = test_file.read_text()
    text = text.replace("to: [{operation: {ports: [\"8080\"], methods: [GET], paths: [/admin/queue]}}]",
                        "to: [{operation: {ports: [\"8080\"], methods: [POST], paths: [/admin/queue]}}]", 1)
    text = text.replace("      reason: RuleNotAllowed", "      reason: DurationTooLong", 1)
    test_file.write_text(text)
    result = elevator("test", repo)
    assert result.returncode == 1, result.stdout
    out = result.stdout
    assert out.splitlines()[-1] == "8 passed, 2 failed"
    assert ("FAIL a ticketed ten-minute request is granted at once (autoApprove) "
            f"({repo}/tests/payments-debug.test.yaml:7:5): the mesh objects differ from the expected ones:") in out
    assert '    meshObjects[0].spec.rules[0].to[0].operation.methods[0]: expected "POST", got "GET"' in out
    assert f"FAIL DELETE is outside the policy's rules ({repo}/tests/payments-debug.test.yaml:" in out
    assert "expected reason DurationTooLong, got RuleNotAllowed" in out


def test_lint_of_the_example_repository_is_clean():
    result = elevator("lint", "examples/gitops")
    assert result.returncode == 0, result.stdout
    # The namespace's own AuthorizationPolicy is not Elevator's: skipped, with a warning.
    assert result.stdout.splitlines() == [
        "examples/gitops/mesh/payments-allow.yaml:4:1: warning: AuthorizationPolicy of security.istio.io/v1 "
        "is not an Elevator object; lint skipped it",
        "0 problems, 1 warning in 4 files",
    ]


def test_lint_reports_each_problem_at_its_position():
    result = elevator("lint", "Tests/e2e/fixtures/lint/broken.yaml")
    assert result.returncode == 1
    f = "Tests/e2e/fixtures/lint/broken.yaml"
    assert result.stdout.splitlines() == [
        f"{f}:14:22: spec.rules[0].methods[1]: \"FETCH\" is not an HTTP method: use one of CONNECT, DELETE, GET, "
        "HEAD, OPTIONS, PATCH, POST, PUT, TRACE",
        f"{f}:15:15: spec.rules[0].paths[0]: \"/admin/*/x\" is not an Istio path form: write /exact, /prefix/*, "
        "*/suffix or *",
        f"{f}:16:20: spec.defaultDuration: 2h is longer than spec.maxDuration 1h",
        f"{f}:17:3: spec.maxDuraton: unknown field; the API server refuses it, so remove it or correct its spelling",
        f"{f}:28:13: spec.duration: \"15 minutes\" is not a duration: \" minutes\" is not a unit (ns, us, ms, s, m or h); "
        "write it like 90s, 15m or 1h30m.",
        f"{f}:31:7: kind: \"ElevationGrant\" is not an Elevator kind: use ElevationPolicy, ElevationRequest or "
        "ElevationApproval",
        "6 problems in 1 file",
    ]


def test_lint_json_output_for_ci():
    result = elevator("lint", "--output", "json", BROKEN, "no-such-folder")
    assert result.returncode == 2
    findings = json.loads(result.stdout)
    assert [(f["line"], f["column"], f["path"]) for f in findings[:3]] == [
        (14, 22, "spec.rules[0].methods[1]"), (15, 15, "spec.rules[0].paths[0]"), (16, 20, "spec.defaultDuration")]
    assert {f["severity"] for f in findings} == {"error"}
    assert set(findings[0]) == {"file", "line", "column", "path", "message", "severity"}
    assert findings[-1]["file"] == "no-such-folder" and findings[-1]["line"] == 0


def test_lint_of_a_missing_path_exits_2():
    result = elevator("lint", "nowhere.yaml")
    assert result.returncode == 2
    assert "nowhere.yaml does not exist; check the path" in result.stdout


def test_render_prints_an_authorization_policy_istio_accepts():
    result = elevator("render", "--policies", "examples/gitops/policies", "-f", "examples/gitops/requests/inc-1234-debug.yaml",
                      "--now", "2026-01-10T10:00:00Z", "--trust-domain", "corp.example",
                      "--mesh-objects", "examples/gitops/mesh")
    assert result.returncode == 0, result.stdout + result.stderr
    objects = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    assert len(objects) == 1
    policy = objects[0]
    assert policy["spec"]["rules"][0]["from"] == [{"source": {"principals": ["corp.example/ns/tools/sa/debugger"]}}]
    assert policy["metadata"]["annotations"]["elevator.dev/expires-at"] == "2026-01-10T10:10:00Z"
    schema = crdcheck.crd_schema(istio_policy_check.SCHEMA_FILE, "v1")
    problems = (crdcheck.schema_errors(schema, policy) + crdcheck.cel_errors(schema, policy)
                + istio_policy_check.elevator_problems(policy))
    assert problems == []


def test_render_of_a_request_outside_the_policy_says_why_in_one_sentence(tmp_path):
    request = yaml.safe_load((GITOPS / "requests" / "inc-1234-debug.yaml").read_text())
    request["spec"]["subject"] = {"serviceAccount": {"namespace": "web", "name": "frontend"}}
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(request))
    result = elevator("render", "--policies", GITOPS / "policies", "-f", tmp_path / "r.yaml")
    assert result.returncode == 1
    assert_one_sentence(result.stdout)
    assert result.stdout.startswith("ElevationRequest inc-1234-debug would be denied (SubjectNotAllowed): ")


@pytest.mark.parametrize("policies,request_text,expected,code", [
    ("examples/gitops/policies", "kind: ElevationRequest\napiVersion: elevator.dev/v1alpha1\nspec: [\n",
     "r.yaml:4:1: did not find expected node content", 1),
    ("examples/gitops/mesh", None, "ElevationPolicy payments-debug in namespace payments is not in examples/gitops/mesh; "
     "add it there or fix spec.policy of the request.", 1),
    ("examples/gitops/nope", None, "examples/gitops/nope does not exist; check the path", 2),
])
def test_render_user_errors_are_one_sentence(tmp_path, policies, request_text, expected, code):
    request = tmp_path / "r.yaml"
    request.write_text(request_text or (GITOPS / "requests" / "inc-1234-debug.yaml").read_text())
    result = elevator("render", "--policies", policies, "-f", request)
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    assert_one_sentence(result.stderr)
    assert expected in result.stderr
