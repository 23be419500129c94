"""Schemathesis hooks for the rules of SPEC.md that JSON Schema cannot express (loaded by run.sh).

They only touch test cases generated as *valid* (positive mode): a valid request must not be turned into a 422
by a rule outside the schema, and nothing here hides a failure (no check is filtered or relaxed).

- OMP-EXP-002: an `expires_at` written by create or update must lie in the future of the server's clock; a
  generated timestamp in the past becomes one a year ahead.
- OMP-IMPORT-003: an import file's `omp_version` must be one the server reads (this server: 0.0 to 0.3); the
  schema admits any `major.minor`, so a valid file gets `0.3`.
- OMP-IMPORT-004: the query parameter `conflict` and the body member `conflict` must agree when both are given.
- OMP-MEM-020: a number must be one an IEEE-754 double holds exactly as written. Python writes its unbounded
  integers digit for digit (`403051414912289996800`), so integers beyond 2**53 in valid data are sent as the
  double they round to, which prints as itself.
"""

from datetime import datetime, timedelta, timezone

import schemathesis
from schemathesis.generation.modes import GenerationMode

FUTURE = (datetime.now(timezone.utc) + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M:%SZ")
WRITES = {("POST", "/v1/memories"), ("PUT", "/v1/memories/{id}")}


def _positive(case) -> bool:
    # Examples taken from the document carry no generation mode; they are valid data too.
    meta = case.meta
    return meta is None or meta.generation.mode == GenerationMode.POSITIVE


@schemathesis.hook
def before_add_examples(context, examples):
    # The examples phase composes cases from the document's examples without map_case: same rules.
    for case in examples:
        _valid(case)


@schemathesis.hook
def map_case(context, case):
    if not _positive(case):
        return case
    return _valid(case)


def _exact(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > 2**53:
        return float(value)
    if isinstance(value, list):
        return [_exact(v) for v in value]
    if isinstance(value, dict):
        return {k: _exact(v) for k, v in value.items()}
    return value


def _valid(case):
    if not isinstance(case.body, dict):
        return case
    case.body = _exact(case.body)
    key = (case.operation.method.upper(), case.operation.path)
    if key in WRITES and isinstance(case.body.get("expires_at"), str):
        try:
            when = datetime.fromisoformat(case.body["expires_at"].replace("Z", "+00:00"))
            if when <= datetime.now(timezone.utc) + timedelta(minutes=5):
                case.body["expires_at"] = FUTURE
        except ValueError:
            case.body["expires_at"] = FUTURE
    if key == ("POST", "/v1/import"):
        if "omp_version" in case.body:
            case.body["omp_version"] = "0.3"
        # OMP-IMPORT-004: `?conflict=` and the body member `conflict` must agree when both are given.
        query = case.query or {}
        if isinstance(query.get("conflict"), str) and "conflict" in case.body:
            case.body["conflict"] = query["conflict"]
    return case
