"""ops.ingested_files: the ingestor's memory of which file contents it published.

A row is written as 'publishing' before the first record is produced and set to
'published' once the broker acknowledged every record and the FilePublished
event; a 'publishing' row found after a restart means "publish it again".
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg


@dataclass(frozen=True)
class IngestedFile:
    sha256: str
    batch_id: str
    file_name: str
    status: str
    records: int | None

    def belongs_to(self, batch_id: str, file_name: str) -> bool:
        return self.batch_id == batch_id and self.file_name == file_name


def lookup(conn: psycopg.Connection, sha256: str) -> IngestedFile | None:
    row = conn.execute(
        "SELECT sha256, batch_id, file_name, status, records FROM ops.ingested_files"
        " WHERE sha256 = %s", (sha256,)).fetchone()
    return IngestedFile(*row) if row else None


def conflicting(conn: psycopg.Connection, batch_id: str, file_name: str,
                sha256: str) -> IngestedFile | None:
    """Other content recorded for the same batch file (a re-send with changes), if any."""
    row = conn.execute(
        "SELECT sha256, batch_id, file_name, status, records FROM ops.ingested_files"
        " WHERE batch_id = %s AND file_name = %s AND sha256 <> %s"
        " ORDER BY started_at LIMIT 1", (batch_id, file_name, sha256)).fetchone()
    return IngestedFile(*row) if row else None


def claim(conn: psycopg.Connection, sha256: str, batch_id: str, file_name: str,
          entity: str) -> bool:
    """Mark the content as being published by this batch file; False if someone else has it."""
    row = conn.execute(
        """
        INSERT INTO ops.ingested_files (sha256, batch_id, file_name, entity, status)
        VALUES (%s, %s, %s, %s, 'publishing')
        ON CONFLICT (sha256) DO UPDATE SET status = 'publishing', started_at = now(),
            finished_at = NULL, records = NULL
          WHERE ops.ingested_files.batch_id = excluded.batch_id
            AND ops.ingested_files.file_name = excluded.file_name
        RETURNING sha256
        """, (sha256, batch_id, file_name, entity)).fetchone()
    conn.commit()
    return row is not None


def mark_published(conn: psycopg.Connection, sha256: str, records: int) -> None:
    conn.execute(
        "UPDATE ops.ingested_files SET status = 'published', records = %s, finished_at = now()"
        " WHERE sha256 = %s", (records, sha256))
    conn.commit()
