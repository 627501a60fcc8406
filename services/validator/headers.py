"""Headers of the records the validator produces (valid and dead-letter)."""

from __future__ import annotations

import json

from confluent_kafka import Message

from contracts import FieldError
from shopflow.events import (
    H_CONTRACT_VERSION,
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
    H_PARSE_ERROR,
)
from shopflow.runtime.kafka import Headers

RawHeaders = list[tuple[str, bytes]]
_ERR_PREFIX = "shopflow.errors."


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
