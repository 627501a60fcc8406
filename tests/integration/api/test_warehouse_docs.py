"""`GET /warehouse/docs`: the dbt docs site of the real warehouse, served offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.dashboard_api.app import create_app
from shopflow.warehouse.dbt_project import DbtProject
from tests.integration.api.conftest import API_KEY, api_settings
from tests.integration.api.warehouse import LoadedWarehouse

pytestmark = pytest.mark.integration


def docs_client(warehouse: LoadedWarehouse, docs_dir: Path, kafka: str) -> TestClient:
    settings = api_settings(warehouse.database, kafka_bootstrap=kafka, dbt_docs_dir=docs_dir)
    return TestClient(create_app(settings), raise_server_exceptions=False)


def test_docs_are_served_with_catalog_and_lineage(warehouse: LoadedWarehouse, tmp_path: Path,
                                                  kafka_bootstrap: str) -> None:
    dbt = DbtProject(warehouse.database.url_as("shopflow_transformer"), target_dir=tmp_path)
    assert dbt.generate_docs().success
    with docs_client(warehouse, tmp_path, kafka_bootstrap) as client:
        page = client.get("/warehouse/docs", headers={"X-API-Key": API_KEY})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    body = page.text
    # the manifest (lineage) and the catalog (columns of the real tables) are inside
    assert "source.shopflow.marts.daily_sales" in body
    assert "exposure.shopflow.api_sales" in body and "exposure.shopflow.web_dashboard" in body
    assert '"net_amount"' in body and "<script" in body


def test_docs_not_generated_yet_is_a_problem(warehouse: LoadedWarehouse, tmp_path: Path,
                                             kafka_bootstrap: str) -> None:
    with docs_client(warehouse, tmp_path / "none", kafka_bootstrap) as client:
        page = client.get("/warehouse/docs", headers={"X-API-Key": API_KEY})
    assert page.status_code == 404
    assert page.headers["content-type"] == "application/problem+json"
    assert "shopflow dbt docs generate" in page.json()["detail"]
