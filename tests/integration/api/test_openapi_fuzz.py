"""schemathesis against the app's own OpenAPI: no 500, no response outside its schema.

Every operation, in positive and negative mode, with bounded examples; the replay
POST carries the API key (its replays go to this module's own topics and database).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from schemathesis.python.asgi import shutdown_lifespans

from contracts import ENTITIES
from services.dashboard_api.app import create_app
from shopflow.runtime.settings import Settings
from shopflow.topics import create_topics, raw_topic
from tests.integration.api.conftest import API_KEY, api_settings
from tests.integration.api.warehouse import LoadedWarehouse, scratch_database

pytestmark = pytest.mark.integration

MAX_EXAMPLES = 20
_PATHS = create_app(Settings()).openapi()["paths"]
OPERATIONS = [(method.upper(), path) for path, item in _PATHS.items() for method in item]
# Negative data needs something to break: a parameter or a body.
NEGATIVE = [(method, path) for method, path in OPERATIONS
            if {"parameters", "requestBody"} & set(_PATHS[path][method.lower()])]
# Schema-valid but semantically wrong input (start after end, a made-up cursor, an
# empty replay selection) is rightly a 400, which this check counts as a failure.
# Every other check runs: no 5xx, status codes, content types, headers, response schemas.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture(scope="module")
def api_schema(warehouse: LoadedWarehouse, kafka_bootstrap: str,
               ) -> Iterator[schemathesis.schemas.BaseSchema]:
    prefix = f"t{uuid.uuid4().hex[:10]}"
    with scratch_database(warehouse.snapshot.name) as database:
        app_settings = api_settings(database, kafka_bootstrap=kafka_bootstrap,
                                    topic_prefix=prefix, consumer_group_prefix=prefix,
                                    topic_partitions=1)
        create_topics(app_settings, [raw_topic(app_settings, e) for e in ENTITIES])
        yield schemathesis.openapi.from_asgi("/openapi.json", create_app(app_settings))
        shutdown_lifespans()  # closes the app's pool before its database is dropped


def test_every_operation_is_fuzzed() -> None:
    assert len(OPERATIONS) >= 18
    assert ("POST", "/api/v1/dead-letters/replay") in OPERATIONS


@pytest.mark.parametrize("method,path,mode", [
    *[(m, p, GenerationMode.POSITIVE) for m, p in OPERATIONS],
    *[(m, p, GenerationMode.NEGATIVE) for m, p in NEGATIVE]])
def test_operation_conforms_to_its_openapi(api_schema: schemathesis.schemas.BaseSchema,
                                           method: str, path: str,
                                           mode: GenerationMode) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers={"X-API-Key": API_KEY}, excluded_checks=EXCLUDED)

    run()
