"""Headers of the records the validator produces (valid and dead-letter)."""

from __future__ import annotations

import json
from functools import cache
from typing import NamedTuple

from confluent_kafka import Message

from contracts import FieldError
from shopflow.events import (
    H_BATCH_ID,
    H_CONTRACT_VERSION,
    H_ENTITY,
    H_ERR_ATTEMPT,
    H_ERR_CODES,
    H_ERR_CONTRACT_VERSION,
    H_ERR_DETAIL,
    H_ERR_FIELD,
    H_ERR_FIRST_FAILED_AT,
    H_ERR_MESSAGE,
    H_ERR_ORIG_OFFSET,
    H_ERR_ORIG_PARTITION,
    H_ERR_ORIG_TOPIC,
    H_FILE_HASH,
    H_FORMAT,
    H_LINE,
    H_PARSE_ERROR,
    H_REPLAY_ID,
    H_SOURCE_FILE,
)
from shopflow.runtime.kafka import Headers

RawHeaders = list[tuple[str, bytes]]
_ERR_PREFIX = "shopflow.errors."
# What a record fresh from the ingestor (or a replay) carries: provenance only.
_PROVENANCE_NAMES = frozenset({H_BATCH_ID, H_SOURCE_FILE, H_LINE, H_FILE_HASH, H_ENTITY,
                               H_CONTRACT_VERSION, H_FORMAT, H_REPLAY_ID})


def headers_of(msg: Message) -> RawHeaders:
    """A message's headers as (name, bytes) pairs, whatever form the client returned."""
    raw = msg.headers() or []
    items = raw.items() if isinstance(raw, dict) else raw
    return [(k, v if isinstance(v, bytes) else (v or "").encode()) for k, v in items]


def provenance(headers: RawHeaders) -> Headers:
    """The incoming headers without earlier error headers (provenance, replay id...)."""
    return [(k, v) for k, v in headers if not k.startswith(_ERR_PREFIX) and k != H_PARSE_ERROR]


def valid_headers(headers: RawHeaders, version: int) -> Headers:
    kept = [(k, v) for k, v in provenance(headers) if k != H_CONTRACT_VERSION]
    return [*kept, (H_CONTRACT_VERSION, str(version).encode())]


class PlainHeaders(NamedTuple):
    """Headers of a record fresh from the ingestor (or a replay): provenance only."""

    items: RawHeaders
    by_name: dict[str, bytes]


def plain_provenance(raw: object) -> PlainHeaders | None:
    """The headers if they are plain provenance (a list without error or parse-error
    headers, repeated names or null values); None sends the message the general way."""
    if type(raw) is not list:
        return None
    by_name = dict(raw)
    if len(by_name) != len(raw) or not by_name.keys() <= _PROVENANCE_NAMES \
            or None in by_name.values():
        return None
    return PlainHeaders(raw, by_name)


def plain_valid_headers(plain: PlainHeaders, version: int) -> Headers:
    """valid_headers() of plain headers: the same list, without filtering header by header."""
    kept: Headers = list(plain.items)
    if H_CONTRACT_VERSION in plain.by_name:  # exactly once: no name repeats in plain headers
        kept.remove((H_CONTRACT_VERSION, plain.by_name[H_CONTRACT_VERSION]))
    kept.append((H_CONTRACT_VERSION, _version_bytes(version)))
    return kept


@cache
def _version_bytes(version: int) -> bytes:
    return str(version).encode()


def attempt_of(incoming: dict[str, str]) -> int:
    """This failure's attempt: one more than the attempt a replayed record carries."""
    previous = incoming.get(H_ERR_ATTEMPT, "")
    return int(previous) + 1 if previous.isdigit() else 1


def dead_letter_headers(msg: Message, incoming: dict[str, str], errors: list[FieldError],
                        version: str, now: str) -> Headers:
    first = errors[0]
    codes = list(dict.fromkeys(error.code.value for error in errors))
    detail = json.dumps([error.to_dict() for error in errors], ensure_ascii=False)
    extra = [
        (H_ERR_CODES, ",".join(codes)),
        (H_ERR_FIELD, first.field or ""),
        (H_ERR_MESSAGE, first.message),
        (H_ERR_DETAIL, detail),
        (H_ERR_CONTRACT_VERSION, version),
        (H_ERR_ORIG_TOPIC, msg.topic() or ""),
        (H_ERR_ORIG_PARTITION, str(msg.partition())),
        (H_ERR_ORIG_OFFSET, str(msg.offset())),
        (H_ERR_ATTEMPT, str(attempt_of(incoming))),
        (H_ERR_FIRST_FAILED_AT, incoming.get(H_ERR_FIRST_FAILED_AT) or now),
    ]
    return [*provenance(headers_of(msg)),
            *((k, v.encode("utf-8", "backslashreplace")) for k, v in extra)]
