"""schemathesis against the app's own OpenAPI document: no generated request gets a 5xx.

In-process (ASGI transport), with the token so the write routes are fuzzed
too, over a private copy of the gold store; a bounded number of examples per
operation keeps it to a few seconds. Operations are driven with plain
hypothesis ``@given`` over each operation's strategy (schemathesis'
``pytest.from_fixture`` does not run under pytest 9).
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from armstrack.web.api import create_app
from conftest import fill_gold

TOKEN = "fuzz-token"
EXAMPLES_PER_OPERATION = 20


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, extractor):
    db = str(tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    fill_gold(db)
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(db, token=TOKEN, extractor=extractor))


CALLS: list[str] = []


def _check(case) -> None:
    CALLS.append(case.method)
    response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}, f"{where}: {response.text[:300]}"


def test_no_operation_answers_a_5xx(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        run = settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                       phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))(
            given(case=operation.as_strategy())(_check))
        run()
    assert len(CALLS) >= 5 * len(operations), "schemathesis generated almost no requests"
    assert "POST" in CALLS
