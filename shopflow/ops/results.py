"""One result of a check on a clock, as stored in ops.monitor_checks."""

from __future__ import annotations

from shopflow.warehouse.quality import CheckResult

# The same record as a build's quality check (ops.quality_checks has the same columns).
CheckOutcome = CheckResult
