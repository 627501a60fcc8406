"""docker-compose.yml cannot run here (no Docker engine); check its structure instead."""

from __future__ import annotations

import importlib.util
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
    assert set(services) == {"kafka", "postgres", "init", *SERVICES}
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert "controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    assert services["postgres"]["image"].startswith("postgres:")


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
