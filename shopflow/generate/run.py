"""`generate(config)`: writes every batch directory, then the ground truth.

Each day is streamed to disk before the next one starts; what is carried over
(catalogue, customers, open orders within the status horizon) does not grow
with the number of days beyond the customer base itself.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from shopflow.generate.config import (
    GenerationConfig,
    GenerationSummary,
    batch_id_for,
    day_start,
    rng_stream,
)
from shopflow.generate.day import generate_day
from shopflow.generate.defects import DefectInjector, DefectLog
from shopflow.generate.faults import RedeliveryDesk, plan_faults
from shopflow.generate.truth import DEFECTS_FILE, TRUTH_FILE, TruthBook
from shopflow.generate.world import build_world
from shopflow.generate.writer import BatchWriter

ProgressCallback = Callable[[int, int], None]  # (days done, days in total)
_OWNED_FILES = (TRUTH_FILE, DEFECTS_FILE, f".{TRUTH_FILE}.partial")


def generate(config: GenerationConfig,
             progress: ProgressCallback | None = None) -> GenerationSummary:
    out = prepare_out_dir(config.out)
    truth = TruthBook(config)
    world = build_world(config, truth)
    faults = plan_faults(rng_stream(config.seed, "faults"), config.days, config.defect_rate)
    desk = RedeliveryDesk(rng_stream(config.seed, "redelivery"), faults)
    injector = DefectInjector(rng_stream(config.seed, "defects"), config.defect_rate)
    layout_rng = rng_stream(config.seed, "layout")
    batch_ids: list[str] = []
    with DefectLog(out / DEFECTS_FILE) as defect_log:
        for day_index in range(config.days):
            business_date = config.business_date(day_index)
            batch_id = batch_id_for(business_date)
            writer = BatchWriter(out / batch_id, batch_id, business_date, injector, defect_log,
                                 faults.drift.get(day_index), layout_rng)
            generate_day(world, day_index, writer)
            desk.redeliver(day_index, writer)
            truth.record_batch(batch_id, business_date, writer.finish())
            desk.remember(writer)
            truth.sales.close_day(day_index)
            world.catalogue.forget_before(day_start(business_date + timedelta(days=1)))
            batch_ids.append(batch_id)
            if progress is not None:
                progress(day_index + 1, config.days)
        truth_path = truth.write(out, defect_log)
    return GenerationSummary(
        out=out, truth_path=truth_path, batch_ids=tuple(batch_ids),
        records=sum(truth.records_by_entity.values()), defective_records=defect_log.total,
        file_faults=truth.file_fault_count, bytes_written=_size_on_disk(out),
        records_by_entity=dict(sorted(truth.records_by_entity.items())))


def prepare_out_dir(out: Path) -> Path:
    """Creates `out`, clearing what an earlier run left; refuses anything else."""
    out.mkdir(parents=True, exist_ok=True)
    entries = sorted(out.iterdir())
    foreign = [e.name for e in entries if not _owned(e)]
    if foreign:
        raise FileExistsError(
            f"{out} holds {', '.join(foreign[:3])}, which the generator did not write; "
            "use an empty directory or one an earlier run wrote")
    for entry in entries:
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    return out


def _owned(entry: Path) -> bool:
    if entry.is_dir() and not entry.is_symlink():
        return entry.name.startswith("batch-")
    return entry.name in _OWNED_FILES


def _size_on_disk(out: Path) -> int:
    return sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
