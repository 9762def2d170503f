"""One entry point for `isms export oscal`: build a document, validate it, return its JSON."""

from __future__ import annotations

from sqlmodel import Session

from . import trestle_io


def require_trestle(kind: str) -> None:
    """Refuse in one sentence, before any work, when the oscal extra is not installed."""
    trestle_io.model_class(kind)


def audit_results(session: Session, audit_id: int) -> bytes:
    from .results import assessment_results

    return trestle_io.to_json("assessment-results", assessment_results(session, audit_id))


def audit_plan(session: Session, audit_id: int) -> bytes:
    from .plan import assessment_plan

    return trestle_io.to_json("assessment-plan", assessment_plan(session, audit_id))


def catalogue() -> bytes:
    from .catalogue import catalogue as build

    return trestle_io.to_json("catalog", build())
