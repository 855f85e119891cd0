"""Requests generated from the service's own OpenAPI description (schemathesis).

Every operation gets valid and invalid requests (wrong types, missing fields,
odd strings, out-of-range numbers) from a real server on 127.0.0.1, and every
answer goes through every check schemathesis has (``--checks all``): no 5xx;
the documented status codes, content type, headers and schema; valid data
accepted and invalid data refused; no answer without the token an operation
declares.  The valid data is all the description allows, nothing filtered out:
the description states the server's whole rule.  Then sequences of calls
follow the links schemathesis infers (an added article read back, its story,
passages, versions), as its stateful phase does: what was just added is found.
Bounded: a fixed number of examples per operation and mode, and of sequences.
"""

from __future__ import annotations

import re

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from wiretrace.server.app import create_app
from wiretrace.server.process import ServerProcess

TOKEN = "schema-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES = 20  # per operation and mode: about 500 requests in all
SEQUENCES = 40  # of up to 6 calls each


def all_checks() -> list:
    """Every check schemathesis registers, as ``--checks all`` runs them."""
    load_all_checks()
    found = [check for check in CHECKS.get_all() if not isinstance(check, type)]
    names = {check.__name__ for check in found}
    assert {"not_a_server_error", "response_schema_conformance", "positive_data_acceptance",
            "negative_data_rejection", "ignored_auth", "unsupported_method"} <= names
    return found


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
    checks = all_checks()

    # every request the description allows, unfiltered: it states the whole rule
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=server.url, headers=AUTH, timeout=60, checks=checks)

    run()


def test_sequences_of_calls_find_what_was_added(api_schema, server):
    """The stateful phase of ``schemathesis run``: an article added, then read through
    every linked operation (no 404 for what exists: ``ensure_resource_availability``),
    with every check on every answer."""
    checks = all_checks()

    class Calls(api_schema.as_state_machine()):
        def get_call_kwargs(self, case: schemathesis.Case) -> dict:
            return {"base_url": server.url, "headers": AUTH, "timeout": 60}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=checks, headers=AUTH,
                                   transport_kwargs=kwargs, recorder=self.recorder)

    Calls.run(settings=settings(max_examples=SEQUENCES, stateful_step_count=6, deadline=None,
                                derandomize=True, database=None,
                                suppress_health_check=list(HealthCheck)))


def test_the_description_says_what_this_server_does(server):
    """Reads are open here: no token declared for them, and no 401 among their answers;
    an empty text or a date the API does not read is outside the schema."""
    spec = httpx.get(server.url + "/openapi.json", timeout=30).json()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            write = method == "post" and path.startswith(("/api/articles", "/api/files"))
            assert ("security" in op) is write, (method, path)
            assert ("401" in op["responses"]) is write, (method, path)
    article = spec["components"]["schemas"]["ArticleIn"]["properties"]
    # "not only whitespace" spelt as Python's str.isspace, which ECMA's \S is not
    pattern = article["text"]["pattern"]
    assert article["text"]["minLength"] == 1
    for white in ("\x1c", "\x85", " \u3000\t"):
        assert not re.search(pattern, white)
    assert re.search(pattern, "\ufeff") and re.search(pattern, "  a ")
    upload = spec["paths"]["/api/files"]["post"]
    assert "application/octet-stream" in upload["requestBody"]["content"]
    name = next(p for p in upload["parameters"] if p["name"] == "name")["schema"]["pattern"]
    for good in ("feed.jsonl", "Crawl.WARC.gz", "reut2-000.sgm", "päge.HTM"):
        assert re.fullmatch(name, good), good
    for bad in ("feed.exe", ".hidden.jsonl", "a/b.jsonl", "feed.jsonl.bak", "x\x07.csv"):
        assert not re.fullmatch(name, bad), bad
    assert "years 1000-2999" in article["published"]["description"]
    assert article["published"]["anyOf"][0]["pattern"].startswith("^(?:(?:(?:1[0-9]{3}|")
    assert "100,000 characters" in spec["paths"]["/api/query"]["post"]["description"]
