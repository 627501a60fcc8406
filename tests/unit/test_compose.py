"""docker-compose.yml cannot run here (no Docker engine); check its structure instead."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ["ingestor", "validator", "loader", "transformer", "dashboard_api"]
SCALED = ["validator", "loader"]


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_names_infrastructure_init_and_every_service() -> None:
    services = _compose()["services"]
    assert set(services) == {"kafka", "postgres", "init", *SERVICES, "prometheus",
                             "alertmanager"}
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert "controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    assert services["postgres"]["image"].startswith("postgres:")


def test_monitoring_uses_the_official_images_and_the_repositorys_rules() -> None:
    services = _compose()["services"]
    assert services["prometheus"]["image"].startswith("prom/prometheus:v")
    assert services["alertmanager"]["image"].startswith("prom/alertmanager:v")
    for name in ("prometheus", "alertmanager"):
        for volume in services[name]["volumes"]:
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), volume


def test_each_service_command_exists() -> None:
    services = _compose()["services"]
    for name in SERVICES:
        command = services[name]["command"]
        assert command[:2] == ["python", "-m"], name
        assert importlib.util.find_spec(f"{command[2]}.__main__") is not None, command
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert services["init"]["command"] == ["shopflow", "init"]
    assert "shopflow" in scripts


def test_services_can_scale_and_are_supervised() -> None:
    services = _compose()["services"]
    for name in SERVICES:
        service = services[name]
        assert "container_name" not in service, name
        assert "healthcheck" in service and service.get("restart") == "unless-stopped", name
        assert service["depends_on"]["init"]["condition"] == "service_completed_successfully"
    for name in SCALED:
        assert "ports" not in services[name], f"{name} must not bind a fixed host port"


def test_infrastructure_has_healthchecks_and_volumes() -> None:
    compose = _compose()
    for name in ("kafka", "postgres"):
        assert "healthcheck" in compose["services"][name]
    assert {"landing", "quarantine", "pg-data", "kafka-data"} <= set(compose["volumes"])
    init_deps = compose["services"]["init"]["depends_on"]
    assert init_deps["kafka"]["condition"] == "service_healthy"
    assert init_deps["postgres"]["condition"] == "service_healthy"


ROLE_OF = {"ingestor": "shopflow_ingestor", "loader": "shopflow_loader",
           "transformer": "shopflow_transformer", "dashboard_api": "shopflow_api"}


def _urls(environment: dict[str, str]) -> list[str]:
    return [v for k, v in environment.items() if k.endswith("DATABASE_URL")]


def test_each_service_connects_as_its_own_role_and_only_init_as_owner() -> None:
    services = _compose()["services"]
    for name, role in ROLE_OF.items():
        urls = _urls(services[name]["environment"])
        assert urls and all(url.startswith(f"postgresql://{role}:") for url in urls), name
    assert _urls(services["validator"].get("environment", {})) == []
    owner = _urls(services["init"]["environment"])
    assert owner and all(url.startswith("postgresql://shopflow:") for url in owner)


def test_no_password_or_key_in_the_file_only_required_variables() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    assert "SHOPFLOW_API_KEY" not in text and "change-me" not in text
    secrets = re.findall(r"\$\{(\w*PASSWORD\w*)([^}]*)\}", text)
    assert secrets, "passwords come from variables"
    for name, rest in secrets:
        assert rest.startswith(":?"), f"{name} must be required (${{{name}:?...}}), not {rest}"
    assert not re.search(r"postgresql://[^:$]+:[^$@]+@", text), "a literal password in a URL"


def _env_values(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines()
                if line and not line.startswith("#"))


def test_make_compose_env_writes_every_password_compose_needs(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    target.write_text("SHOPFLOW_API_PORT=8000\nSHOPFLOW_API_DB_PASSWORD=mine-already\n")
    script = str(ROOT / "scripts/security/compose_env.sh")
    subprocess.run([script, str(target)], check=True, capture_output=True)
    values = _env_values(target)
    needed = set(re.findall(r"\$\{(\w*PASSWORD\w*):\?",
                            (ROOT / "docker-compose.yml").read_text()))
    assert needed <= set(values)
    assert values["SHOPFLOW_API_DB_PASSWORD"] == "mine-already"  # kept
    assert values["SHOPFLOW_API_PORT"] == "8000"  # other lines kept
    generated = [v for k, v in values.items() if k in needed - {"SHOPFLOW_API_DB_PASSWORD"}]
    assert len(set(generated)) == len(generated) and all(len(v) >= 32 for v in generated)
    assert target.stat().st_mode & 0o077 == 0, "readable by others"
    before = target.read_text()
    subprocess.run([script, str(target)], check=True, capture_output=True)
    assert target.read_text() == before, "a second run changes nothing"


def test_bi_override_publishes_postgres_on_a_configurable_port() -> None:
    override = yaml.safe_load((ROOT / "docker-compose.bi.yml").read_text())
    assert override["services"]["postgres"]["ports"] == [
        "${SHOPFLOW_BI_BIND:-127.0.0.1}:${SHOPFLOW_BI_PORT:-5433}:5432"]
    assert "ports" not in _compose()["services"]["postgres"]  # not published by default


def test_cluster_override_has_three_brokers_and_a_replica_for_the_api() -> None:
    cluster = yaml.safe_load((ROOT / "docker-compose.cluster.yml").read_text())
    services = cluster["services"]
    nodes = [services[name]["environment"] for name in ("kafka", "kafka-2", "kafka-3")]
    assert sorted(n["KAFKA_NODE_ID"] for n in nodes) == [1, 2, 3]
    assert len({n["KAFKA_CONTROLLER_QUORUM_VOTERS"] for n in nodes}) == 1
    assert len({n["CLUSTER_ID"] for n in nodes}) == 1
    assert {n["KAFKA_MIN_INSYNC_REPLICAS"] for n in nodes} == {2}
    for name in ("init", *SERVICES):
        bootstrap = services[name]["environment"]["SHOPFLOW_KAFKA_BOOTSTRAP"]
        assert bootstrap == "kafka:9092,kafka-2:9092,kafka-3:9092", name
    api = services["dashboard_api"]["environment"]
    assert "@postgres-replica:5432/" in api["SHOPFLOW_API_DATABASE_URL"]
    assert "@postgres:5432/" in api["SHOPFLOW_API_PRIMARY_DATABASE_URL"]
    assert "pg_basebackup" in " ".join(services["postgres-replica"]["command"])
    text = (ROOT / "docker-compose.cluster.yml").read_text()
    secrets = re.findall(r"://\w+:([^@\s]+)@", text)
    secrets.append(services["postgres-replica"]["environment"]["PGPASSWORD"])
    assert secrets and all(re.fullmatch(r"\$\{\w+:\?[^}]*\}", s) for s in secrets), secrets
