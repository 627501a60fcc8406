"""The one writer of dead-letter headers: a record's envelope, then why and where it
failed (the validator for records that break their contract, the loader for records the
database refuses). Bounded whatever the record: see MAX_DETAIL_BYTES."""

from __future__ import annotations

import json
from typing import NamedTuple

from contracts import ErrorCode, FieldError
from contracts.chunk import Envelope
from shopflow.events import (
    H_ERR_ATTEMPT,
    H_ERR_CODES,
    H_ERR_CONTRACT_VERSION,
    H_ERR_COUNT,
    H_ERR_DETAIL,
    H_ERR_DETAIL_CUT,
    H_ERR_FIELD,
    H_ERR_FIRST_FAILED_AT,
    H_ERR_MESSAGE,
    H_ERR_ORIG_OFFSET,
    H_ERR_ORIG_PARTITION,
    H_ERR_ORIG_POSITION,
    H_ERR_ORIG_TOPIC,
    envelope_headers,
    utcnow,
)
from shopflow.runtime.kafka import Headers


class Where(NamedTuple):
    """Where the record failed: its chunk's topic/partition/offset and its index in it."""

    topic: str
    partition: int | None
    offset: int | None
    position: int | None = None


def failure_time() -> str:
    """Now, cut to milliseconds, the precision of Kafka timestamps: a dead letter's
    first-failed time must never come after its own (later, millisecond) timestamp, which
    is what the ledger takes as the last failure."""
    moment = utcnow()
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000).isoformat()


def attempt_of(envelope: Envelope) -> int:
    """This failure's attempt: one more than the attempt a replayed record carries."""
    return 1 if envelope.replay is None else envelope.replay["attempt"] + 1


# Headers of a dead letter stay far below the message limit whatever the record: a record
# with 20,000 unknown keys has 20,000 errors. The detail keeps the first errors that fit;
# `shopflow.errors.count` says how many there are, and the ledger keeps them all
# (the loader validates the original bytes again when the detail is cut).
MAX_DETAIL_BYTES = 32 * 1024
MAX_MESSAGE_CHARS = 1000


def bounded_detail(errors: list[FieldError]) -> tuple[str, bool]:
    """The JSON list of errors, cut to what fits in MAX_DETAIL_BYTES; True when cut."""
    kept: list[str] = []
    size = 2
    for error in errors:
        item = json.dumps({"code": error.code.value, "field": shorten(error.field or "") or None,
                           "message": shorten(error.message)}, ensure_ascii=False)
        size += len(item.encode("utf-8", "backslashreplace")) + 1
        if size > MAX_DETAIL_BYTES:
            return "[" + ",".join(kept) + "]", True
        kept.append(item)
    return "[" + ",".join(kept) + "]", False


def shorten(text: str) -> str:
    """Text for a header or a log line: at most MAX_MESSAGE_CHARS characters."""
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS - 3] + "..."


def dead_letter_headers(envelope: Envelope, where: Where, errors: list[FieldError],
                        now: str) -> Headers:
    first = errors[0]
    codes = list(dict.fromkeys(error.code.value for error in errors))
    detail, cut = bounded_detail(errors)
    first_failed = envelope.replay["first_failed_at"] if envelope.replay else ""
    extra = [
        (H_ERR_CODES, ",".join(codes)),
        (H_ERR_FIELD, shorten(first.field or "")),
        (H_ERR_MESSAGE, shorten(first.message)),
        (H_ERR_DETAIL, detail),
        (H_ERR_COUNT, str(len(errors))),
        (H_ERR_CONTRACT_VERSION, str(envelope.origin.contract_version)),
        (H_ERR_ORIG_TOPIC, where.topic),
        (H_ERR_ORIG_PARTITION, str(where.partition)),
        (H_ERR_ORIG_OFFSET, str(where.offset)),
        (H_ERR_ORIG_POSITION, str(where.position)),
        (H_ERR_ATTEMPT, str(attempt_of(envelope))),
        (H_ERR_FIRST_FAILED_AT, first_failed or now),
    ]
    if cut:
        extra.append((H_ERR_DETAIL_CUT, "true"))
    return [*envelope_headers(envelope),
            *((k, v.encode("utf-8", "backslashreplace")) for k, v in extra)]


def message_error_headers(where: Where, message: str, now: str) -> Headers:
    """The error headers of a whole message that is not a chunk (no record identity)."""
    error = FieldError(ErrorCode.UNPARSEABLE, None, shorten(message))
    extra = [
        (H_ERR_CODES, error.code.value),
        (H_ERR_FIELD, ""),
        (H_ERR_MESSAGE, error.message),
        (H_ERR_DETAIL, json.dumps([error.to_dict()], ensure_ascii=False)),
        (H_ERR_COUNT, "1"),
        (H_ERR_ORIG_TOPIC, where.topic),
        (H_ERR_ORIG_PARTITION, str(where.partition)),
        (H_ERR_ORIG_OFFSET, str(where.offset)),
        (H_ERR_ATTEMPT, "1"),
        (H_ERR_FIRST_FAILED_AT, now),
    ]
    return [(k, v.encode("utf-8", "backslashreplace")) for k, v in extra]
