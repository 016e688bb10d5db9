"""Checks a Kubernetes object against a CRD's openAPIV3Schema the way the API server would, as far
as Python tools allow: structural defaults, OpenAPI 3.0 validation (openapi-schema-validator's
OAS30Validator with its format checker) and every x-kubernetes-validations CEL rule evaluated
with a real CEL engine (cel-expr-python), including transition rules against an old object.

Gaps, known and accepted: Kubernetes' CEL library extras (quantity(), authorizer, ...) are absent,
and `format: duration` fields reach CEL as strings (so rules call duration() on them, which is the
identity on a real duration in Kubernetes)."""

import copy
import json
import pathlib

import yaml
from cel_expr_python import cel
from openapi_schema_validator import OAS30Validator

ROOT = pathlib.Path(__file__).resolve().parents[2]
_ENV = cel.NewEnv(variables={"self": cel.Type.DYN, "oldSelf": cel.Type.DYN})
_COMPILED = {}


def load_yaml_documents(path):
    with open(path, encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


def crd_schema(path, version="v1alpha1"):
    """The openAPIV3Schema of `version` in the CRD file at `path`."""
    (crd,) = load_yaml_documents(path)
    for served in crd["spec"]["versions"]:
        if served["name"] == version:
            return served["schema"]["openAPIV3Schema"]
    raise KeyError(f"{path} serves no version {version}")


def apply_defaults(schema, value):
    """A copy of `value` with structural defaults applied, as the API server does on write."""
    value = copy.deepcopy(value)
    _default(schema, value)
    return value


def _default(schema, value):
    if isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name not in value and "default" in sub:
                value[name] = copy.deepcopy(sub["default"])
            if name in value:
                _default(sub, value[name])
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key in value:
                _default(extra, value[key])
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            _default(schema["items"], item)


def schema_errors(schema, value):
    """OpenAPI 3.0 validation errors as `path: message` strings."""
    validator = OAS30Validator(schema, format_checker=OAS30Validator.FORMAT_CHECKER)
    return [
        "/".join(str(p) for p in error.absolute_path) + ": " + error.message
        for error in validator.iter_errors(value)
    ]


def _compile(rule):
    if rule not in _COMPILED:
        _COMPILED[rule] = _ENV.compile(rule)
    return _COMPILED[rule]


_MISSING = object()


def cel_results(schema, value, old=_MISSING, path=""):
    """Every CEL rule of `schema` that applies to `value`: a list of (path, rule, message, ok).

    Transition rules (those naming oldSelf) run only where an old value exists, as in Kubernetes."""
    results = []
    for validation in schema.get("x-kubernetes-validations", []):
        rule = validation["rule"]
        if "oldSelf" in rule and old is _MISSING:
            continue
        data = {"self": value}
        if old is not _MISSING:
            data["oldSelf"] = old
        outcome = _compile(rule).eval(data=data)
        if outcome.type().name() == "ERROR":
            raise AssertionError(f"{path or '<root>'}: rule {rule!r} failed to evaluate: {outcome.value()}")
        results.append((path, rule, validation.get("message", rule), outcome.value() is True))
    if isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                old_sub = old.get(name, _MISSING) if isinstance(old, dict) else _MISSING
                results += cel_results(sub, value[name], old_sub, f"{path}.{name}")
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key, item in value.items():
                old_sub = old.get(key, _MISSING) if isinstance(old, dict) else _MISSING
                results += cel_results(extra, item, old_sub, f"{path}[{key}]")
    elif isinstance(value, list) and "items" in schema:
        # Kubernetes correlates old list items only for map lists; atomic/set lists get no oldSelf.
        for index, item in enumerate(value):
            results += cel_results(schema["items"], item, _MISSING, f"{path}[{index}]")
    return results


def cel_errors(schema, value, old=_MISSING):
    """The messages of the CEL rules that reject `value` (given `old` on update)."""
    return [f"{path}: {message}" for path, _, message, ok in cel_results(schema, value, old) if not ok]


def all_rules(schema):
    """Every CEL rule string in `schema`."""
    found = [v["rule"] for v in schema.get("x-kubernetes-validations", [])]
    for sub in schema.get("properties", {}).values():
        found += all_rules(sub)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found += all_rules(schema[key])
    return found


def admit(schema, obj, old=None):
    """All errors the API server would report for creating (old None) or updating to `obj`."""
    obj = apply_defaults(schema, obj)
    errors = schema_errors(schema, obj)
    if old is None:
        errors += cel_errors(schema, obj)
    else:
        errors += cel_errors(schema, obj, apply_defaults(schema, old))
    return errors


def check_directory(directory, noun, problems_of):
    """Prints every problem `problems_of` finds in each generated `*.json` object of `directory`;
    returns the exit code of a checker script (2: nothing to check, 1: problems, 0: clean)."""
    files = sorted(pathlib.Path(directory).glob("*.json"))
    if not files:
        print(f"no generated AuthorizationPolicy in {directory}")
        return 2
    failures = 0
    for path in files:
        problems = problems_of(json.loads(path.read_text()))
        for problem in problems:
            print(f"{path.name}: {problem}")
        failures += bool(problems)
    print(f"checked {len(files)} {noun}, {failures} with problems")
    return 1 if failures else 0
