"""Headers of a dead letter: the record's envelope, then why and where it failed."""

from __future__ import annotations

import json

from confluent_kafka import Message

from contracts import FieldError
from contracts.chunk import Envelope
from shopflow.events import (
    H_ERR_ATTEMPT,
    H_ERR_CODES,
    H_ERR_CONTRACT_VERSION,
    H_ERR_DETAIL,
    H_ERR_FIELD,
    H_ERR_FIRST_FAILED_AT,
    H_ERR_MESSAGE,
    H_ERR_ORIG_OFFSET,
    H_ERR_ORIG_PARTITION,
    H_ERR_ORIG_POSITION,
    H_ERR_ORIG_TOPIC,
    envelope_headers,
)
from shopflow.runtime.kafka import Headers


def attempt_of(envelope: Envelope) -> int:
    """This failure's attempt: one more than the attempt a replayed record carries."""
    return 1 if envelope.replay is None else envelope.replay["attempt"] + 1


def dead_letter_headers(envelope: Envelope, chunk: Message, position: int,
                        errors: list[FieldError], now: str) -> Headers:
    first = errors[0]
    codes = list(dict.fromkeys(error.code.value for error in errors))
    detail = json.dumps([error.to_dict() for error in errors], ensure_ascii=False)
    first_failed = envelope.replay["first_failed_at"] if envelope.replay else ""
    extra = [
        (H_ERR_CODES, ",".join(codes)),
        (H_ERR_FIELD, first.field or ""),
        (H_ERR_MESSAGE, first.message),
        (H_ERR_DETAIL, detail),
        (H_ERR_CONTRACT_VERSION, str(envelope.origin.contract_version)),
        (H_ERR_ORIG_TOPIC, chunk.topic() or ""),
        (H_ERR_ORIG_PARTITION, str(chunk.partition())),
        (H_ERR_ORIG_OFFSET, str(chunk.offset())),
        (H_ERR_ORIG_POSITION, str(position)),
        (H_ERR_ATTEMPT, str(attempt_of(envelope))),
        (H_ERR_FIRST_FAILED_AT, first_failed or now),
    ]
    return [*envelope_headers(envelope),
            *((k, v.encode("utf-8", "backslashreplace")) for k, v in extra)]
