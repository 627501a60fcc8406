"""POST /api/v1/dead-letters/replay: re-submit dead letters through validation."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.dashboard_api.deps import DeadLettersReplayer, PrimaryConnDep, SettingsDep
from services.dashboard_api.problems import ProblemError, problem_responses
from services.dashboard_api.replay import replay
from services.dashboard_api.schemas.pipeline import ReplayIn, ReplayOut
from shopflow.runtime.errors import DeliveryError

router = APIRouter(prefix="/api/v1", tags=["pipeline"],
                   responses=problem_responses(400, 401, 403, 413, 422, 503))


@router.post("/dead-letters/replay", response_model=ReplayOut, summary="Replay dead letters")
def post_replay(body: ReplayIn, request: Request, conn: PrimaryConnDep, settings: SettingsDep,
                caller: DeadLettersReplayer) -> ReplayOut:
    """Re-submit the chosen dead letters (explicit `letters`, or a filter of entity,
    batch and error codes) to their raw topic, through validation again. Needs a key
    with the scope `deadletters:replay` in `X-API-Key`. Resolved letters, letters at the
    attempt limit and letters already replayed at their attempt are skipped; `dry_run`
    changes nothing."""
    if body.letters is None and not (body.entity or body.batch_id or body.error_codes):
        raise ProblemError(400, "empty-selection",
                           "choose letters, or at least one of entity, batch_id, error_codes")
    client = request.client.host if request.client else "unknown"
    requested_by = f"api:{client}:key:{caller.key_id}"  # the audit row names the key
    try:
        report = replay(settings, conn, request.app.state.producer, body, requested_by)
    except DeliveryError as exc:
        raise ProblemError(503, "kafka-unavailable",
                           f"the replay could not be delivered to Kafka: {exc}") from exc
    return ReplayOut(**report.to_json())
