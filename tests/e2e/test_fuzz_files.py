"""Random and mutated batch files through the real ingest -> validate -> load services.

Whatever the files hold (flipped bytes, broken quoting, stray NULs, other encodings,
lines near the size limit, odd JSON), afterwards every service is still running and
every file is accounted for: quarantined with a reason, skipped as a duplicate, or
`loaded + dead-lettered = records read` (issue 12). The seed is printed; set
SHOPFLOW_FUZZ_SEED to replay a run.
"""

from __future__ import annotations

import os
import random
from datetime import date
from pathlib import Path

import pytest

from shopflow.generate.config import GenerationConfig
from shopflow.generate.run import generate
from shopflow.ingest.submit import submit
from shopflow.runtime.settings import Settings
from shopflow.topics import create_topics
from tests.e2e.fuzz_mutations import mutate_batch
from tests.e2e.platform import Platform

pytestmark = pytest.mark.e2e

LINE_LIMIT = 4096  # small, so "near every limit" is cheap to reach
BATCHES = 6


def _seed() -> int:
    seed = int(os.environ.get("SHOPFLOW_FUZZ_SEED") or random.SystemRandom().randrange(2**32))
    print(f"fuzz seed: {seed} (SHOPFLOW_FUZZ_SEED={seed} replays it)")
    return seed


def _unaccounted(platform: Platform, batch_ids: list[str]) -> list[tuple]:
    """Files of these batches that are neither settled nor fully counted."""
    return platform.query(
        "SELECT batch_id, file_name, status, records_published, loaded, rejected, code"
        " FROM ops.batch_files WHERE batch_id = ANY(%s) AND NOT ("
        "  (status = 'quarantined' AND coalesce(reason, '') <> '' AND code IS NOT NULL)"
        "  OR status = 'skipped'"
        "  OR (status = 'published' AND loaded + rejected = records_published))"
        " ORDER BY 1, 2", (batch_ids,))


def _completed(platform: Platform, batch_ids: list[str]) -> int:
    return int(platform.query(
        "SELECT count(*) FROM ops.batches WHERE batch_id = ANY(%s) AND completions >= 1",
        (batch_ids,))[0][0])


def test_mutated_files_never_stop_a_service_and_every_record_is_accounted_for(
        platform_settings: Settings, tmp_path: Path) -> None:
    rng = random.Random(_seed())
    out = tmp_path / "generated"
    generate(GenerationConfig(days=BATCHES, start=date(2026, 5, 1), orders_per_day=15,
                              seed=rng.randrange(1000), defect_rate=0.05, out=out))
    batch_dirs = sorted(p for p in out.iterdir() if p.is_dir())
    for batch_dir in batch_dirs:
        mutate_batch(batch_dir, rng, LINE_LIMIT)
    settings = platform_settings.model_copy(update={"max_line_bytes": LINE_LIMIT,
                                                    "chunk_max_records": 50})
    create_topics(settings)
    platform = Platform(settings, tmp_path / "logs")
    for service in ("ingestor", "validator", "loader"):
        platform.start(service)
    try:
        batch_ids = submit(out, settings.landing_dir)

        def settled() -> bool:
            archived = not any((settings.landing_dir / b).exists() for b in batch_ids)
            return archived and _completed(platform, batch_ids) == len(batch_ids) \
                and not _unaccounted(platform, batch_ids)

        try:
            platform.wait_for(settled, 240, "every mutated file accounted for")
        finally:
            assert platform.crashed() == [], platform.logs_tail()
        files = platform.query("SELECT count(*) FROM ops.batch_files WHERE batch_id = ANY(%s)",
                               (batch_ids,))[0][0]
        assert files >= len(batch_ids), "every batch's files reached the ledger"
        assert _completed(platform, batch_ids) == len(batch_ids)
        assert _unaccounted(platform, batch_ids) == []
        print("files by status:", platform.query(
            "SELECT status, coalesce(code, ''), count(*), sum(loaded), sum(rejected)"
            " FROM ops.batch_files WHERE batch_id = ANY(%s) GROUP BY 1, 2 ORDER BY 1, 2",
            (batch_ids,)))
    finally:
        platform.stop_all()
