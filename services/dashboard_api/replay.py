"""Dead-letter replays from the API, through the DLQ tooling's replay logic."""

from __future__ import annotations

import threading
from typing import Any

import psycopg

from services.dashboard_api.schemas.pipeline import ReplayIn
from shopflow.dlq import Identity, LetterFilter, ReplayReport, ReplayRequest, replay_from_ledger
from shopflow.dlq.query import get_dead_letters
from shopflow.dlq.replay import ReplayItem, run_replay
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings

# An HTTP caller should hear about an unreachable broker in seconds, not minutes.
_PRODUCER_OVERRIDES = {"message.timeout.ms": 15_000, "linger.ms": 5}


class ReplayProducer:
    """One producer per app, made on first use (the API starts without Kafka)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._producer: EventProducer | None = None
        self.lock = threading.Lock()  # one replay at a time shares the producer's flush

    def get(self) -> EventProducer:
        if self._producer is None:
            self._producer = EventProducer(self._settings, **_PRODUCER_OVERRIDES)
        return self._producer

    def close(self) -> None:
        if self._producer is not None:
            self._producer.flush(timeout=5)


def _selection(body: ReplayIn) -> dict[str, Any]:
    return body.model_dump(mode="json", exclude={"dry_run", "note"}, exclude_none=True)


def replay(settings: Settings, conn: psycopg.Connection, producer: ReplayProducer,
           body: ReplayIn, requested_by: str) -> ReplayReport:
    request = ReplayRequest(requested_by=requested_by, source="api", selection=_selection(body),
                            dry_run=body.dry_run, note=body.note)
    with producer.lock:
        if body.letters is not None:
            wanted = [Identity(x.batch_id, x.source_file, x.line_number) for x in body.letters]
            known = get_dead_letters(conn, wanted)
            items = [ReplayItem(known[i], known[i].payload) for i in wanted if i in known]
            missing = [i for i in wanted if i not in known]
            return run_replay(settings, conn, producer.get(), items, request, missing)
        codes = tuple(str(code) for code in body.error_codes or ())
        selection = LetterFilter(entity=body.entity, batch_id=body.batch_id, codes=codes,
                                 limit=body.limit)
        return replay_from_ledger(settings, conn, producer.get(), selection, request)
