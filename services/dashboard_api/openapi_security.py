"""OpenAPI says where the API key is required and where it is optional.

Every route that looks at the caller declares the `APIKeyHeader` scheme. deps.requires
adds a marker scheme: `ScopeRequired` (the key is always needed) or `MetricsScope`
(needed where metrics_need_key says so). Here the markers become the document's truth:
`security: [{APIKeyHeader: []}]` where a key is required, `[{APIKeyHeader: []}, {}]`
where it is optional (clients and fuzzers then do not expect a 401), and the markers go.
"""

from __future__ import annotations

from typing import Any

from fastapi.security import APIKeyHeader

from services.dashboard_api.auth import HEADER, metrics_need_key
from shopflow.runtime.settings import Settings

BASE = "APIKeyHeader"
ALWAYS, METRICS = "ScopeRequired", "MetricsScope"
SCOPE_MARKER = APIKeyHeader(name=HEADER, scheme_name=ALWAYS, auto_error=False)
METRICS_MARKER = APIKeyHeader(name=HEADER, scheme_name=METRICS, auto_error=False)


def _required(names: set[str], settings: Settings) -> bool:
    return ALWAYS in names or (METRICS in names and metrics_need_key(settings))


def mark_key_requirements(schema: dict[str, Any], settings: Settings) -> None:
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or not operation.get("security"):
                continue
            names = {name for requirement in operation["security"] for name in requirement}
            operation["security"] = ([{BASE: []}] if _required(names, settings)
                                     else [{BASE: []}, {}])
    schemes = schema.get("components", {}).get("securitySchemes", {})
    for marker in (ALWAYS, METRICS):
        schemes.pop(marker, None)
