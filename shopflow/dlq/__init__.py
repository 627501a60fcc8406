"""Dead-letter logic shared by the loader, the CLI and the API.

- `record_dead_letters(conn, messages)`: DLQ messages into ops.dead_letters (loader).
- `list_dead_letters`, `get_dead_letter(s)`: the ledger, with filters.
- `write_export` / `read_export`: editable JSON Lines.
- `replay_from_ledger` / `replay_from_export`: re-submit through validation.
"""

from shopflow.dlq.export import ExportedLetter, ExportFormatError, read_export, write_export
from shopflow.dlq.models import DeadLetter, Identity, LetterFilter, ReplayReport
from shopflow.dlq.query import get_dead_letter, get_dead_letters, list_dead_letters
from shopflow.dlq.record import record_dead_letters
from shopflow.dlq.replay import ReplayRequest, replay_from_export, replay_from_ledger

__all__ = [
    "DeadLetter",
    "ExportFormatError",
    "ExportedLetter",
    "Identity",
    "LetterFilter",
    "ReplayReport",
    "ReplayRequest",
    "get_dead_letter",
    "get_dead_letters",
    "list_dead_letters",
    "read_export",
    "record_dead_letters",
    "replay_from_export",
    "replay_from_ledger",
    "write_export",
]
