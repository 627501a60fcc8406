"""The scopes an API key can carry."""

from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    METRICS_READ = "metrics:read"  # aggregates: KPIs, sales, segments, pipeline counts
    CUSTOMERS_READ = "customers:read"  # personal fields: e-mail, names, city
    DEADLETTERS_READ = "deadletters:read"  # dead letters with their original payloads
    DEADLETTERS_REPLAY = "deadletters:replay"  # POST /api/v1/dead-letters/replay


ALL_SCOPES = frozenset(Scope)
