"""Schemathesis hooks for the rules of SPEC.md that JSON Schema cannot express (loaded by run.sh).

They only touch test cases generated as *valid* (positive mode): a valid request must not be turned into a 422
by a rule outside the schema, and nothing here hides a failure (no check is filtered or relaxed).

- OMP-EXP-002: an `expires_at` written by create or update must lie in the future of the server's clock; a
  generated timestamp in the past becomes one a year ahead.
- OMP-IMPORT-003: an import file's `omp_version` must be one the server reads (this server: 0.0 to 0.3); the
  schema admits any `major.minor`, so a valid file gets `0.3`.
- OMP-IMPORT-004: the query parameter `conflict` and the body member `conflict` must agree when both are given.
- SPEC.md §5.8 (ETag): an `If-Match` must name the memory's current ETag, which generated data cannot know; a
  valid case is sent without it (a stale one is a 412 by design).
- SPEC.md §5.9 (Idempotency-Key): one key names one request; a valid case gets a fresh key, so that two
  different generated requests never share one (a reused key is a 422 by design).
- OMP-BULK-004: `expected_count` must equal the number of matching memories; a valid case is sent without it.
- OMP-BULK-002: a filter must name a criterion or be `{"all": true}`; a valid case whose filter names none (such
  as `{"all": false}`) becomes a dry run over everything.
- SPEC.md §5.2, §20.4: a `cursor` must be one the server issued for the same query, which generated data cannot
  know; a valid list or access-log page is sent without it.
- OMP-MEM-020: a number must be one an IEEE-754 double holds exactly as written. Python writes its unbounded
  integers digit for digit (`403051414912289996800`), so integers beyond 2**53 in valid data are sent as the
  double they round to, which prints as itself.
"""

import uuid
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
    headers = case.headers
    if headers:
        for name in list(headers):
            low = name.lower()
            if low == "if-match":
                del headers[name]
            elif low == "idempotency-key":
                headers[name] = f"fuzz-{uuid.uuid4()}"
    op = (case.operation.method.upper(), case.operation.path)
    query = case.query
    if op in (("GET", "/v1/memories"), ("GET", "/v1/access-log")) and query and "cursor" in query:
        del query["cursor"]
    if not isinstance(case.body, dict):
        return case
    if op == ("POST", "/v1/memories/bulk-delete"):
        case.body.pop("expected_count", None)
        f = case.body.get("filter")
        if isinstance(f, dict) and not any(k != "all" and not k.startswith("x_") for k in f) and f.get("all") is not True:
            case.body["filter"] = {"all": True}
            case.body["dry_run"] = True
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
