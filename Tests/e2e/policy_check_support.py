"""What the tests of the two mesh policy checkers share: the metadata API.md gives every managed
object, and edits of a good object into bad ones."""

import copy
import json

MANAGED_METADATA = {
    "name": "elevator-inc-1234-debug", "namespace": "payments",
    "labels": {"app.kubernetes.io/managed-by": "elevator", "elevator.dev/request": "inc-1234-debug",
               "elevator.dev/policy": "payments-debug"},
    "annotations": {"elevator.dev/expires-at": "2026-11-25T10:42:07Z", "elevator.dev/requester": "alice@example.com",
                    "elevator.dev/request-uid": "6f1c"},
    "ownerReferences": [{"apiVersion": "elevator.dev/v1alpha1", "kind": "ElevationRequest", "name": "inc-1234-debug",
                         "uid": "6f1c", "controller": True, "blockOwnerDeletion": True}],
}


def edited(good, path, value):
    """A deep copy of `good` with the value at `path` replaced by `value` (removed when None)."""
    obj = copy.deepcopy(good)
    node = obj
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return obj


def run_checker(checker, tmp_path, obj):
    """The exit code of `checker.main` over a folder holding `obj` alone."""
    (tmp_path / "object.json").write_text(json.dumps(obj))
    return checker.main([f"{checker.__name__}.py", str(tmp_path)])
