"""Reading stored management reviews: all of them in order, and an approved review's frozen
snapshot, checked against its SHA-256 before anyone relies on it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlmodel import Session, col, select

from isms_tui.models import ManagementReview

from .errors import InputError


def list_reviews(session: Session) -> list[ManagementReview]:
    return list(
        session.exec(select(ManagementReview).order_by(col(ManagementReview.planned_on), col(ManagementReview.id)))
    )


def frozen_record(review: ManagementReview) -> dict[str, Any] | None:
    """The approved snapshot, checked against its hash (None for a review not yet approved)."""
    if review.snapshot is None:
        return None
    if hashlib.sha256(review.snapshot.encode("utf-8")).hexdigest() != review.snapshot_sha256:
        raise InputError(f"The snapshot of review {review.id} does not match its SHA-256: it was altered.")
    record: dict[str, Any] = json.loads(review.snapshot)
    return record
