"""Bad input gets a clear RFC 9457 problem (400/404/413/422), never a 500 or a trace."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from contracts import ENTITIES
from services.dashboard_api.paging import encode_cursor
from services.dashboard_api.schemas.pipeline import EntityName
from tests.integration.api.conftest import API_KEY

pytestmark = pytest.mark.integration
KEY = {"X-API-Key": API_KEY}  # a key with every scope (dead letters need one)


def assert_problem(response: Response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    for word in words:
        assert word in problem["detail"], problem
    return problem


@pytest.mark.parametrize("path,params,status,words", [
    ("/api/v1/kpis", {"start": "2026-02-30"}, 422, ["start", "not a valid calendar date"]),
    ("/api/v1/kpis", {"start": "yesterday"}, 422, ["start", "YYYY-MM-DD"]),
    ("/api/v1/kpis", {"end": "20260301"}, 422, ["end", "YYYY-MM-DD"]),
    ("/api/v1/kpis", {"start": "0001-01-01"}, 422, ["outside"]),
    ("/api/v1/kpis", {"start": "2026-03-10", "end": "2026-03-01"}, 400, ["after end"]),
    ("/api/v1/sales", {"start": "1990-01-01", "end": "2026-01-01"}, 400, ["at most 3660"]),
    ("/api/v1/sales", {"grain": "year"}, 422, ["grain", "'day', 'week' or 'month'"]),
    ("/api/v1/attribution", {"model": "data_driven"}, 422, ["model"]),
    ("/api/v1/products/top", {"by": "margin"}, 422, ["by"]),
    ("/api/v1/products/top", {"limit": "0"}, 422, ["limit"]),
    ("/api/v1/products/top", {"limit": "101"}, 422, ["limit"]),
    ("/api/v1/products/top", {"limit": "ten"}, 422, ["limit"]),
    ("/api/v1/cohorts", {"grain": "week"}, 422, ["grain"]),
    ("/api/v1/dead-letters", {"entity": "planets"}, 422, ["entity"]),
    ("/api/v1/dead-letters", {"error_code": "bad_vibes"}, 422, ["error_code"]),
    ("/api/v1/dead-letters", {"cursor": "not-a-cursor!"}, 400, ["cursor"]),
    ("/api/v1/batches", {"batch_id": "x", "cursor": "e30"}, 400, ["cursor"]),
    ("/api/v1/sales", {"category": "Books\x00"}, 400, ["NUL"]),
])
def test_bad_parameters_are_problems(client: TestClient, path: str, params: dict,
                                     status: int, words: list[str]) -> None:
    problem = assert_problem(client.get(path, params=params, headers=KEY), status, *words)
    assert problem["instance"] == path
    if status == 422:
        assert problem["errors"] and problem["errors"][0]["location"] == "query"


def test_a_cursor_only_works_for_its_own_list_and_filters(client: TestClient) -> None:
    other_list = encode_cursor("batches", {}, ["batch-2026-03-05"])
    assert_problem(client.get("/api/v1/dead-letters", params={"cursor": other_list},
                              headers=KEY), 400, "cursor")
    page = client.get("/api/v1/dead-letters", params={"limit": 2, "entity": "orders"},
                      headers=KEY).json()
    assert page["has_more"]
    changed = {"limit": 2, "entity": "clickstream", "cursor": page["next_cursor"]}
    assert_problem(client.get("/api/v1/dead-letters", params=changed, headers=KEY), 400,
                   "other filters")


def test_unknown_paths_and_methods_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/nothing-here"), 404)
    assert_problem(client.delete("/api/v1/kpis"), 405)
    assert_problem(client.get("/static/vendor/left-pad.js"), 404, "npm ci")


def test_a_body_over_the_limit_is_413(client: TestClient) -> None:
    limit = client.app.state.settings.api_max_body_bytes  # type: ignore[attr-defined]
    body = b'{"note": "' + b"x" * (limit + 10) + b'"}'
    response = client.post("/api/v1/dead-letters/replay", content=body,
                           headers={"X-API-Key": API_KEY, "Content-Type": "application/json"})
    assert_problem(response, 413, str(limit))

    def chunks():  # no Content-Length: the limit applies while the body streams in
        for _ in range(limit // 1000 + 2):
            yield b"x" * 1000

    streamed = client.post("/api/v1/dead-letters/replay", content=chunks(),
                           headers={"X-API-Key": API_KEY, "Content-Type": "application/json"})
    assert_problem(streamed, 413)


def test_the_entity_names_are_the_contracts(client: TestClient) -> None:
    assert set(EntityName.__args__) == set(ENTITIES)  # type: ignore[attr-defined]
