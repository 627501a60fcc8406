"""One dead-letter message as a row of ops.dead_letters (and ops.dead_letter_attempts).

Never raises for what the message holds: text PostgreSQL cannot hold (NUL, lone
surrogates) is written as visible escapes (``\\u0000``), numbers outside their column's
range are left out, and a letter whose detail header was cut to fit the broker's message
limit gets its full error list back by validating its original bytes again with the
contract version its headers name (deterministic); if that is impossible, the listed
errors are kept with one entry saying how many were not listed. A message without a
usable provenance gives no row: it is logged and counted.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from confluent_kafka import TIMESTAMP_NOT_AVAILABLE, Message
from psycopg.types.json import Jsonb

import contracts
from shopflow.events import (
    H_ERR_ATTEMPT,
    H_ERR_CODES,
    H_ERR_CONTRACT_VERSION,
    H_ERR_COUNT,
    H_ERR_DETAIL,
    H_ERR_DETAIL_CUT,
    H_ERR_FIRST_FAILED_AT,
    H_ERR_MESSAGE,
    H_ERR_ORIG_OFFSET,
    H_ERR_ORIG_PARTITION,
    H_ERR_ORIG_POSITION,
    H_ERR_ORIG_TOPIC,
    H_LINE,
    envelope_from_headers,
    header_map,
)
from shopflow.runtime.metrics import RECORDS_REJECTED
from shopflow.topics import entity_of

log = logging.getLogger(__name__)

_INT32, _INT64 = 2**31, 2**63
_INTEGER = re.compile(r"-?[0-9]{1,20}")
NOT_LISTED = "not_listed"  # the code of the entry that counts errors a cut detail left out
SERVICE = "loader"


def letter_row(msg: Message) -> dict[str, Any] | None:
    """The ledger row for one DLQ message, or None (logged and counted) if it lacks its
    provenance."""
    headers = header_map(msg.headers())  # type: ignore[arg-type]
    topic_entity = entity_of(msg.topic() or "")
    try:
        envelope = envelope_from_headers(headers, topic_entity)
    except ValueError:
        log.warning("dead letter without a usable provenance (batch id, source file, line "
                    "number in 1..2^31-1) is not recorded",
                    extra={"topic": msg.topic(), "partition": msg.partition(),
                           "offset": msg.offset(),
                           "line_number": _storable(headers.get(H_LINE, ""))[:40]})
        RECORDS_REJECTED.labels(SERVICE, topic_entity or "?", "unloadable").inc()
        return None
    identity, failed_at = envelope.identity, _message_time(msg)
    entity, payload = envelope.origin.entity, msg.value()
    codes = [_storable(c) for c in headers.get(H_ERR_CODES, "").split(",") if c] \
        or ["unparseable"]
    try:
        errors = _storable_json(_errors(headers, entity, payload))
    except RecursionError:
        errors = [{"code": codes[0], "field": None,
                   "message": "the error detail is nested too deeply to be stored"}]
    return {
        "batch_id": _storable(identity.batch_id),
        "source_file": _storable(identity.source_file),
        "line_number": identity.line_number, "entity": _storable(entity),
        "codes": codes,
        "errors": Jsonb(errors),
        "contract_version": _int(headers.get(H_ERR_CONTRACT_VERSION)),
        "original_topic": _storable(headers[H_ERR_ORIG_TOPIC])
        if H_ERR_ORIG_TOPIC in headers else None,
        "original_partition": _int(headers.get(H_ERR_ORIG_PARTITION)),
        "original_offset": _int(headers.get(H_ERR_ORIG_OFFSET), _INT64),
        "original_position": _int(headers.get(H_ERR_ORIG_POSITION)),
        "dlq_topic": msg.topic(), "dlq_partition": msg.partition(), "dlq_offset": msg.offset(),
        "attempt": _int(headers.get(H_ERR_ATTEMPT)) or 1,
        "first_failed_at": _time(headers.get(H_ERR_FIRST_FAILED_AT)) or failed_at,
        "last_failed_at": failed_at,
        "record_key": msg.key(), "payload": payload,
        "replay_id": None if envelope.replay_id is None else _storable(envelope.replay_id),
    }


def _errors(headers: Mapping[str, str], entity: str, payload: bytes | None
            ) -> list[Any]:
    """The letter's errors: the detail header's list, or all of them when it was cut."""
    listed = _listed(headers)
    if headers.get(H_ERR_DETAIL_CUT, "").strip().lower() != "true":
        return listed
    count = _int(headers.get(H_ERR_COUNT))
    version = _int(headers.get(H_ERR_CONTRACT_VERSION))
    try:  # deterministic: the same bytes and contract version give the same errors
        outcome = contracts.validate_json(entity, payload or b"", version)
    except Exception as exc:  # an unknown contract (or anything else): keep what is listed
        reason = f"the record could not be validated again ({type(exc).__name__}: {exc})"
    else:
        full = [error.to_dict() for error in outcome.errors]
        if full and len(full) >= len(listed) and (count is None or len(full) == count):
            return full
        reason = (f"validating the record again gave {len(full)} errors, not the "
                  f"{'more than ' + str(len(listed)) if count is None else count} "
                  "its headers announce")
    missing = count - len(listed) if count is not None and count > len(listed) else None
    return [*listed, {
        "code": NOT_LISTED, "field": None, "not_listed": missing,
        "message": f"{'more' if missing is None else missing} errors were not listed: the "
                   "dead letter's detail header was cut to fit the broker's message limit "
                   f"and {reason}"}]


def _listed(headers: Mapping[str, str]) -> list[Any]:
    try:
        detail = json.loads(headers.get(H_ERR_DETAIL, ""))
        if isinstance(detail, list):
            return detail
    except ValueError:
        pass
    codes = headers.get(H_ERR_CODES, "unparseable")
    return [{"code": codes, "field": None, "message": headers.get(H_ERR_MESSAGE, "")}]


def _storable(text: str) -> str:
    """Text PostgreSQL can hold: NUL and lone surrogates written as visible escapes."""
    if "\x00" in text:
        text = text.replace("\x00", "\\u0000")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join(f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    return text


def _storable_json(value: Any) -> Any:
    """A JSON value jsonb accepts: texts as _storable, NaN and infinities as text."""
    if isinstance(value, str):
        return _storable(value)
    if isinstance(value, dict):
        return {_storable(str(k)): _storable_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _int(text: str | None, bound: int = _INT32) -> int | None:
    """The header's integer if its column can hold it (integer or bigint), else None."""
    if not text or not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if -bound <= value < bound else None


def _time(text: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _message_time(msg: Message) -> datetime:
    kind, millis = msg.timestamp()
    if kind == TIMESTAMP_NOT_AVAILABLE:
        return datetime.now(UTC)
    return datetime.fromtimestamp(millis / 1000, UTC)
