"""ETags follow the warehouse build: 304 while unchanged, a new tag after a build."""

from __future__ import annotations

import psycopg
import pytest
from fastapi.testclient import TestClient

from services.dashboard_api.app import create_app
from shopflow.warehouse import BuildRequest, run_build
from tests.conftest import TestDatabase
from tests.integration.api.conftest import API_KEY, api_settings

pytestmark = pytest.mark.integration
KEY = {"X-API-Key": API_KEY}  # dead letters need deadletters:read (the configured key)

FIGURES = ["/api/v1/kpis", "/api/v1/sales?grain=week", "/api/v1/categories", "/api/v1/segments"]


def test_unchanged_data_answers_304_in_every_form(client: TestClient) -> None:
    for path in [*FIGURES, "/api/v1/batches", "/api/v1/dead-letters", "/api/v1/quality"]:
        first = client.get(path, headers=KEY)
        tag = first.headers["etag"]
        assert first.status_code == 200 and first.headers["cache-control"] == "no-cache"
        assert client.get(path, headers=KEY).headers["etag"] == tag
        for header in (tag, f"W/{tag}", f'"other", {tag}', "*"):
            cached = client.get(path, headers={**KEY, "If-None-Match": header})
            assert cached.status_code == 304, (path, header)
            assert cached.content == b"" and cached.headers["etag"] == tag
        stale = client.get(path, headers={**KEY, "If-None-Match": '"stale"'})
        assert stale.status_code == 200


def test_a_new_build_gives_a_new_etag(warehouse_copy: TestDatabase) -> None:
    app = create_app(api_settings(warehouse_copy))
    with TestClient(app) as client:
        before = {path: client.get(path).headers["etag"] for path in FIGURES}
        body_before = client.get("/api/v1/kpis").json()
        result = run_build(warehouse_copy.url_as("shopflow_transformer"),
                           BuildRequest(full_refresh=True, trigger="test"))
        assert result.status == "succeeded"
        for path, tag in before.items():
            response = client.get(path, headers={"If-None-Match": tag})
            assert response.status_code == 200, path
            assert response.headers["etag"] != tag
        # Same figures (a full refresh reproduces them), but clients must re-read.
        assert client.get("/api/v1/kpis").json() == body_before


def test_pipeline_tags_change_without_a_build(warehouse_copy: TestDatabase) -> None:
    app = create_app(api_settings(warehouse_copy))
    with TestClient(app) as client:
        figures_tag = client.get("/api/v1/kpis").headers["etag"]
        letters_tag = client.get("/api/v1/dead-letters", headers=KEY).headers["etag"]
        with psycopg.connect(warehouse_copy.url) as conn:
            conn.execute("UPDATE ops.dead_letters SET resolved_at = now()"
                         " WHERE ctid = (SELECT min(ctid) FROM ops.dead_letters)")
        after = client.get("/api/v1/dead-letters",
                           headers={**KEY, "If-None-Match": letters_tag})
        assert after.status_code == 200 and after.headers["etag"] != letters_tag
        assert client.get("/api/v1/kpis", headers={"If-None-Match": figures_tag}
                          ).status_code == 304


def test_a_letter_failing_again_changes_the_dead_letter_tag_before_any_is_resolved(
        warehouse_copy: TestDatabase) -> None:
    """The fingerprint once concatenated max(resolved_at), NULL until a letter is resolved,
    so the whole fingerprint was NULL and a renewed failure answered 304 with old data."""
    with psycopg.connect(warehouse_copy.url) as conn:
        conn.execute("UPDATE ops.dead_letters SET resolved_at = NULL")
    app = create_app(api_settings(warehouse_copy))
    with TestClient(app) as client:
        tag = client.get("/api/v1/dead-letters", headers=KEY).headers["etag"]
        with psycopg.connect(warehouse_copy.url) as conn:
            conn.execute("UPDATE ops.dead_letters SET attempt = attempt + 1,"
                         " last_failed_at = last_failed_at + interval '1 second'"
                         " WHERE ctid = (SELECT min(ctid) FROM ops.dead_letters)")
        again = client.get("/api/v1/dead-letters", headers={**KEY, "If-None-Match": tag})
        assert again.status_code == 200 and again.headers["etag"] != tag
