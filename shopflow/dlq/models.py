"""What the dead-letter tooling talks about: letters, their identity, and selections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contracts.chunk import RecordIdentity

Identity = RecordIdentity  # the one identity type of a source record (contracts.chunk)


@dataclass(frozen=True)
class DeadLetter:
    """One row of ops.dead_letters (plus the hash of the file it came from)."""

    identity: Identity
    entity: str
    codes: list[str]
    errors: list[dict[str, Any]]
    contract_version: int | None
    original_topic: str | None
    original_partition: int | None
    original_offset: int | None
    dlq_topic: str
    dlq_partition: int
    dlq_offset: int
    attempt: int
    first_failed_at: datetime
    last_failed_at: datetime
    record_key: bytes | None
    payload: bytes | None
    resolved_at: datetime | None
    replay_id: str | None
    file_sha256: str | None = None
    # `payload`/`record_key` are the latest attempt's (what a replay re-sends: after an
    # edited replay failed again, the edit); the bytes first read from the file stay here.
    original_payload: bytes | None = None

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None


@dataclass(frozen=True)
class LetterFilter:
    """Which letters: every given condition must hold; `codes` matches any of them."""

    entity: str | None = None
    batch_id: str | None = None
    codes: tuple[str, ...] = ()
    since: datetime | None = None  # last failure at or after
    until: datetime | None = None  # last failure before
    include_resolved: bool = False
    limit: int | None = None
    after: Identity | None = None  # keyset paging: letters after this identity

    def to_json(self) -> dict[str, Any]:
        return {
            "entity": self.entity, "batch_id": self.batch_id, "codes": list(self.codes),
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "include_resolved": self.include_resolved, "limit": self.limit,
        }


@dataclass
class ReplayReport:
    """What a replay did (or, on a dry run, would do)."""

    replay_id: str | None
    dry_run: bool
    selected: int = 0
    resubmitted: list[Identity] = field(default_factory=list)
    skipped: dict[str, list[Identity]] = field(default_factory=dict)

    def skip(self, reason: str, identity: Identity) -> None:
        self.skipped.setdefault(reason, []).append(identity)

    @property
    def skipped_count(self) -> int:
        return sum(len(ids) for ids in self.skipped.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "replay_id": self.replay_id, "dry_run": self.dry_run, "selected": self.selected,
            "resubmitted": [str(i) for i in self.resubmitted],
            "skipped": {reason: [str(i) for i in ids] for reason, ids in self.skipped.items()},
        }
