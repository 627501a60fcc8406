"""The dbt project's declarations agree with the contracts and the migrations."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from contracts.enums import EVENT_TYPES, ORDER_STATUSES, SALES_CHANNELS, SEGMENTS
from shopflow.warehouse.dbt_project import PROJECT_DIR

MIGRATIONS = Path(__file__).resolve().parents[3] / "shopflow" / "db" / "migrations" / "versions"
ENUMS = {
    ("staging", "orders", "status"): ORDER_STATUSES,
    ("warehouse", "fact_orders", "status"): ORDER_STATUSES,
    ("warehouse", "fact_orders", "channel"): SALES_CHANNELS,
    ("warehouse", "dim_customer", "segment"): SEGMENTS,
    ("warehouse", "fact_events", "event_type"): EVENT_TYPES,
}


def declared_sources() -> dict[tuple[str, str], dict]:
    tables = {}
    for path in (PROJECT_DIR / "models" / "sources").glob("*.yml"):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                tables[(source["name"], table["name"])] = table
    return tables


def accepted_values() -> dict[tuple[str, str, str], tuple[str, ...]]:
    found = {}
    for (source, table), spec in declared_sources().items():
        for column in spec.get("columns", []):
            for test in column.get("data_tests", []):
                if isinstance(test, dict) and "accepted_values" in test:
                    values = test["accepted_values"]["arguments"]["values"]
                    found[(source, table, column["name"])] = tuple(values)
    return found


def test_enum_tests_hold_exactly_the_contract_values() -> None:
    found = accepted_values()
    for key, values in ENUMS.items():
        assert found.get(key) == values, key


def test_every_warehouse_and_mart_relation_is_a_source() -> None:
    created = set()
    for sql in MIGRATIONS.glob("*.sql"):
        created |= set(re.findall(r"CREATE (?:TABLE|VIEW) (warehouse|marts)\.(\w+)",
                                  sql.read_text()))
    assert created and created <= set(declared_sources())


def test_the_profile_gets_the_transformers_connection_with_its_tls_files() -> None:
    from shopflow.warehouse.dbt_profile import profile_env

    env = profile_env("postgresql://shopflow_transformer:s3cret@db.example:6432/shop"
                      "?sslmode=verify-full&sslrootcert=/certs/ca.pem")
    assert env == {"SHOPFLOW_DBT_HOST": "db.example", "SHOPFLOW_DBT_PORT": "6432",
                   "SHOPFLOW_DBT_USER": "shopflow_transformer", "SHOPFLOW_DBT_PASSWORD": "s3cret",
                   "SHOPFLOW_DBT_DBNAME": "shop", "SHOPFLOW_DBT_SSLMODE": "verify-full",
                   "PGSSLROOTCERT": "/certs/ca.pem"}


def test_the_per_build_enum_check_holds_the_contract_values() -> None:
    enums = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["enums"]
    assert enums == {"order_status": list(ORDER_STATUSES), "sales_channel": list(SALES_CHANNELS),
                     "segment": list(SEGMENTS), "event_type": list(EVENT_TYPES)}
