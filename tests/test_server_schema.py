"""Requests generated from the service's own OpenAPI description (schemathesis).

Every operation gets valid and invalid requests (wrong types, missing fields,
odd strings, out-of-range numbers) from a real server on 127.0.0.1: none may
answer 5xx, and every answer must match the documented status codes, content
type and schema.  Bounded: a fixed number of examples per operation.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from wiretrace.server.app import create_app
from wiretrace.server.process import ServerProcess

TOKEN = "schema-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES = 20  # per operation and mode: about 500 requests in all


@pytest.fixture(scope="module")
def server(tmp_path_factory, seed_articles):
    db = tmp_path_factory.mktemp("schema") / "index.db"
    with ServerProcess(db, TOKEN) as running:
        body = {"articles": [{"id": a.id, "text": a.text} for a in seed_articles]}
        r = httpx.post(running.url + "/api/articles/batch", json=body, headers=AUTH, timeout=120)
        assert r.status_code == 200, r.text
        yield running
        assert "Traceback" not in running.log_tail(100_000)


@pytest.fixture(scope="module")
def api_schema(server):
    return schemathesis.openapi.from_url(server.url + "/openapi.json")


def operations() -> list[tuple[str, GenerationMode]]:
    """Each operation with valid data, and with invalid data where it takes any input."""
    found = []
    # from the app's own description (building it opens no index)
    for path, methods in create_app("never-opened.db").openapi()["paths"].items():
        for method, spec in methods.items():
            label = f"{method.upper()} {path}"
            found.append((label, GenerationMode.POSITIVE))
            if spec.get("parameters") or spec.get("requestBody"):
                found.append((label, GenerationMode.NEGATIVE))
    return found


@pytest.mark.parametrize("label,mode", operations(), ids=lambda v: getattr(v, "value", v))
def test_generated_requests_get_documented_answers(api_schema, server, label, mode):
    operation = api_schema.find_operation_by_label(label)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_schema_conformance]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=server.url, headers=AUTH, timeout=60, checks=checks)

    run()
