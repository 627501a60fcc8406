"""Records the database refuses: found inside a failing chunk, sent back as dead letters.

A valid chunk's records normally reach staging in one set-based statement per entity
(shopflow.load.staging). When PostgreSQL refuses that statement for a reason in the data
(SQLSTATE class 22 or 23, or a program limit: a value out of its column's range, text
it cannot hold such as NUL, a missing required value...), staging retries chunk by chunk
and then record by record inside the failing chunk, each in a savepoint, and every
record it still refuses becomes a ``Refusal``. The loader produces each refusal to the
entity's dead-letter topic as one message, exactly like the validator's dead letters
(value: the record's canonical JSON as it came in the chunk, key: its own key, headers:
its envelope and ``shopflow.errors.*`` with code ``refused_by_database``), and waits for
the broker's acknowledgement BEFORE its transaction commits. It reads its own dead-letter
topics, so the letter is then recorded as a rejection and the batch can complete
(decision 0056).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import psycopg

from contracts.chunk import Envelope, ReplayMark
from contracts.errors import ErrorCode, FieldError
from shopflow.letters import Where, dead_letter_headers, failure_time, shorten
from shopflow.load.messages import ValidChunk
from shopflow.runtime.kafka import EventProducer, Headers
from shopflow.runtime.settings import Settings
from shopflow.topics import dlq_topic

log = logging.getLogger(__name__)

# Errors that are about the data of a record, not about the database being unavailable:
# data exceptions (class 22: out of range, invalid text, NUL...), integrity violations
# (class 23: not null, check...) and program limits (54000: e.g. a value too large for
# an index row, a jsonb array too large). psycopg's ProgramLimitExceeded is an
# OperationalError, which the loader would otherwise retry forever.
REFUSED = (psycopg.errors.DataError, psycopg.errors.IntegrityError,
           psycopg.errors.ProgramLimitExceeded)
_NUL_ESCAPE = b"\\u0000"
UNTRANSLATABLE_CHARACTER = "22P05"  # what jsonb says about \u0000

# The exact text of every entry of a chunk (json, unlike jsonb, keeps its input text),
# with the chunk's origin and each entry's record.
SPLIT_SQL = """
SELECT (c.value -> 'origin')::text, e.value::text, (e.value -> 'record')::text
FROM (SELECT %s::json AS value) c,
     json_array_elements(c.value -> 'records') WITH ORDINALITY AS e(value, n)
ORDER BY e.n
"""


@dataclass(frozen=True, slots=True)
class ChunkEntry:
    """One entry of a valid chunk, its JSON text exactly as it came in the chunk."""

    position: int
    text: bytes
    record: bytes | None
    line: int
    key: bytes | None
    replay: ReplayMark | None


@dataclass(frozen=True, slots=True)
class Refusal:
    """A record of a valid chunk the database cannot store, and why."""

    chunk: ValidChunk
    entry: ChunkEntry
    message: str
    field: str | None = None

    @property
    def envelope(self) -> Envelope:
        return Envelope(self.chunk.origin, self.entry.line, self.entry.key, self.entry.replay)

    @property
    def attempt(self) -> int:
        replay = self.entry.replay
        return 1 if replay is None else replay["attempt"] + 1

    def describe(self) -> dict[str, Any]:
        return {"batch_id": self.chunk.origin.batch_id,
                "source_file": self.chunk.origin.source_file, "line": self.entry.line,
                "topic": self.chunk.topic, "partition": self.chunk.partition,
                "offset": self.chunk.offset, "position": self.entry.position,
                "error": self.message}


# ------------------------------------------------------------------ taking chunks apart
def split_chunk(conn: psycopg.Connection, chunk: ValidChunk) -> tuple[bytes, list[ChunkEntry]]:
    """The chunk's origin text and its entries, each as the exact JSON text it came in.

    PostgreSQL's json type splits it (one query per failing chunk); if even that is
    refused, orjson does (the same values; only numbers beyond 64 bits would be written
    differently)."""
    try:
        with conn.transaction():
            rows = conn.execute(SPLIT_SQL, (chunk.value.decode("utf-8"),)).fetchall()
        origin = rows[0][0].encode() if rows else b"{}"
        texts = [(text.encode(), None if record is None else record.encode())
                 for _, text, record in rows]
    except REFUSED:
        data = orjson.loads(chunk.value)
        origin = orjson.dumps(data["origin"])
        texts = [(orjson.dumps(e), None if "record" not in e else orjson.dumps(e["record"]))
                 for e in data["records"]]
    return origin, [_entry(position, text, record)
                    for position, (text, record) in enumerate(texts)]


def _entry(position: int, text: bytes, record: bytes | None) -> ChunkEntry:
    data = orjson.loads(text)  # an object with an integer line: checked in messages.py
    key = data.get("key")
    return ChunkEntry(position, text, record, data["line"],
                      key.encode("utf-8", "surrogateescape") if type(key) is str else None,
                      _replay_mark(data.get("replay")))


def _replay_mark(value: Any) -> ReplayMark | None:
    if type(value) is not dict or type(value.get("replay_id")) is not str \
            or not value["replay_id"]:
        return None
    attempt, first = value.get("attempt"), value.get("first_failed_at")
    return ReplayMark(replay_id=value["replay_id"],
                      attempt=attempt if type(attempt) is int and attempt >= 0 else 0,
                      first_failed_at=first if type(first) is str else "")


def chunk_of(origin: bytes, entries: Iterable[ChunkEntry]) -> bytes:
    """A valid chunk of these entries of one chunk, their bytes unchanged."""
    return (b'{"v":1,"kind":"valid","origin":' + origin + b',"records":['
            + b",".join(e.text for e in entries) + b"]}")


def refusal(chunk: ValidChunk, entry: ChunkEntry, exc: psycopg.Error) -> Refusal:
    """The refusal of one record, in PostgreSQL's words (the statement held this record
    alone, so its message names no other row's values)."""
    diag = exc.diag
    text = (diag.message_primary or str(exc)).strip()
    if diag.message_detail:
        text += f" ({diag.message_detail.strip()})"
    if exc.sqlstate == UNTRANSLATABLE_CHARACTER and _NUL_ESCAPE in entry.text:
        text = ("the record holds a NUL character (\\u0000), which PostgreSQL text and "
                f"jsonb cannot store: {text}")
    else:
        text = f"PostgreSQL refused the record: {text}"
    text += f" [SQLSTATE {exc.sqlstate}]"
    return Refusal(chunk, entry, shorten(text), diag.column_name or None)


# ------------------------------------------------------------------------ dead letters
def letter_headers(refused: Refusal, now: str) -> Headers:
    """The dead letter's headers, by the one writer the validator uses too."""
    chunk = refused.chunk
    error = FieldError(ErrorCode.REFUSED_BY_DATABASE, refused.field, refused.message)
    where = Where(chunk.topic, chunk.partition, chunk.offset, refused.entry.position)
    return dead_letter_headers(refused.envelope, where, [error], now)


def publish_refusals(producer: EventProducer, settings: Settings,
                     refusals: Sequence[Refusal], timeout: float = 30.0) -> None:
    """Produce one dead letter per refused record and wait for the broker's acks
    (DeliveryError, a TransientError, if they do not come: the caller rolls back)."""
    if not refusals:
        return
    now = failure_time()
    for refused in refusals:
        log.warning("record refused by the database: dead-lettered", extra=refused.describe())
        value = refused.entry.record if refused.entry.record is not None else refused.entry.text
        producer.produce(dlq_topic(settings, refused.chunk.origin.entity), value,
                         key=refused.entry.key, headers=letter_headers(refused, now))
    producer.flush(timeout)
