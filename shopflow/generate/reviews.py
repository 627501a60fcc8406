"""Product reviews written a few days after delivery."""

from __future__ import annotations

import random
from decimal import Decimal

from shopflow.generate.formats import TimestampFormatter
from shopflow.generate.lifecycle import ReviewPlan
from shopflow.generate.vocab import REVIEW_BODIES, REVIEW_TITLES


def review_rating(rng: random.Random, product_rating: Decimal | None, unhappy: bool) -> int:
    if unhappy:
        return rng.choice((1, 1, 2, 3))
    centre = float(product_rating) if product_rating is not None else 4.0
    return min(5, max(1, round(rng.gauss(centre, 1.0))))


def review_record(rng: random.Random, fmt: TimestampFormatter, review_id: str,
                  plan: ReviewPlan, rating: int) -> dict[str, str | None]:
    return {
        "review_id": review_id, "order_id": plan.order_id, "product_id": plan.product_id,
        "customer_id": plan.customer_id, "rating": str(rating), "review_ts": fmt(plan.at),
        "title": None if rng.random() < 0.05 else rng.choice(REVIEW_TITLES[rating]),
        "body": None if rng.random() < 0.1 else rng.choice(REVIEW_BODIES),
    }
