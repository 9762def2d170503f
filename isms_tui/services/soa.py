"""The statement of applicability: deciding, per Annex A control, whether it applies and how
far it is implemented, and reading those decisions back for coverage, reviews and packs.

Only the 93 Annex A controls take a decision. A control without a row is "not yet decided"
and is never treated as applicable or not applicable by default.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session, select

from isms_tui import catalogues
from isms_tui.models import SoaEntry
from isms_tui.models.sanitize import clean
from isms_tui.models.soa import IMPLEMENTATION_STATUSES

from .errors import InputError, NotFound

APPLICABLE, NOT_APPLICABLE, UNDECIDED = "applicable", "not applicable", "not yet decided"
DECISIONS = (APPLICABLE, NOT_APPLICABLE, UNDECIDED)
MAX_JUSTIFICATION, MAX_NOTES = 2000, 4000


@dataclass
class SoaInput:
    """One control's decision as a user gives it (the form or a CSV row)."""

    control: str
    applicable: bool | None  # None: no decision given
    justification: str = ""
    status: str = ""  # one of IMPLEMENTATION_STATUSES for an applicable control; empty otherwise
    notes: str = ""


@dataclass(frozen=True)
class SoaRow:
    """A control as the statement shows it, decided or not."""

    ref: str
    title: str
    theme: str
    decision: str  # one of DECISIONS
    justification: str = ""
    status: str = ""
    notes: str = ""

    @property
    def excluded(self) -> bool:
        """Not applicable with its justification on record: no audit needs to reach it."""
        return self.decision == NOT_APPLICABLE and bool(self.justification.strip())


@dataclass(frozen=True)
class SoaSummary:
    total: int
    applicable: int
    not_applicable: int
    undecided: int
    by_status: dict[str, int]  # applicable controls per implementation status

    @property
    def sentence(self) -> str:
        """The statement in one line, for reviews, packs and the screen's header."""
        parts = [f"{self.applicable} applicable", f"{self.not_applicable} not applicable"]
        if self.undecided:
            parts.append(f"{self.undecided} not yet decided")
        text = f"{self.total} Annex A controls: " + ", ".join(parts)
        done = [f"{n} {s}" for s in reversed(IMPLEMENTATION_STATUSES) if (n := self.by_status.get(s, 0))]
        return text + (f"; of the applicable: {', '.join(done)}" if done else "") + "."


def control_ref(text: str) -> str | None:
    """The catalogue's spelling of an Annex A ref ('a.5.1' -> 'A.5.1'), or None if it is not one."""
    known = {r.ref.upper(): r.ref for r in catalogues.controls()}
    return known.get(text.strip().upper())


def validate(data: SoaInput) -> dict[str, str]:
    """Field name -> problem, empty when the decision can be saved."""
    errors: dict[str, str] = {}
    if control_ref(data.control) is None:
        errors["control"] = (
            f"{data.control.strip()[:20] or 'An empty ref'} is not an Annex A control (A.5.1 to A.8.34)."
        )
    if data.applicable is None:
        errors["applicable"] = "Say whether the control applies (yes or no)."
    justification = clean(data.justification).strip()
    if data.applicable is False and not justification:
        errors["justification"] = "A control that does not apply needs the reason it is excluded."
    elif len(justification) > MAX_JUSTIFICATION:
        errors["justification"] = f"At most {MAX_JUSTIFICATION} characters."
    status = data.status.strip().lower()
    if data.applicable and status not in IMPLEMENTATION_STATUSES:
        errors["status"] = "One of " + ", ".join(IMPLEMENTATION_STATUSES) + "."
    elif data.applicable is False and status:
        errors["status"] = "Leave the implementation status empty for a control that does not apply."
    if len(data.notes.strip()) > MAX_NOTES:
        errors["notes"] = f"At most {MAX_NOTES} characters."
    return errors


def save_entry(session: Session, data: SoaInput) -> SoaEntry:
    """Record (or change) one control's decision; InputError with every field's problem."""
    errors = validate(data)
    if errors:
        raise InputError(next(iter(errors.values())), errors)
    ref = control_ref(data.control)
    assert ref is not None and data.applicable is not None  # validated above
    entry = session.exec(select(SoaEntry).where(SoaEntry.control == ref)).first() or SoaEntry(control=ref)
    entry.applicable = data.applicable
    entry.justification = clean(data.justification).strip()
    entry.status = data.status.strip().lower() if data.applicable else ""
    entry.notes = data.notes.strip()
    session.add(entry)
    session.flush()
    return entry


def clear_entry(session: Session, control: str) -> None:
    """Take a control back to "not yet decided" (the journal keeps the decision it had)."""
    ref = control_ref(control)
    entry = session.exec(select(SoaEntry).where(SoaEntry.control == ref)).first() if ref else None
    if entry is None:
        raise NotFound(f"{control.strip()[:20]} has no decision to clear.")
    session.delete(entry)
    session.flush()


def entries(session: Session) -> dict[str, SoaEntry]:
    """Stored decisions by control ref."""
    return {e.control: e for e in session.exec(select(SoaEntry))}


def statement(session: Session) -> list[SoaRow]:
    """Every Annex A control in catalogue order with its decision, "not yet decided" when none."""
    stored = entries(session)
    out = []
    for req in catalogues.controls():
        e = stored.get(req.ref)
        if e is None:
            out.append(SoaRow(req.ref, req.title, req.theme, UNDECIDED))
        else:
            decision = APPLICABLE if e.applicable else NOT_APPLICABLE
            out.append(SoaRow(req.ref, req.title, req.theme, decision, e.justification, e.status, e.notes))
    return out


def summarise(rows: list[SoaRow]) -> SoaSummary:
    decisions = Counter(r.decision for r in rows)
    return SoaSummary(
        total=len(rows),
        applicable=decisions[APPLICABLE],
        not_applicable=decisions[NOT_APPLICABLE],
        undecided=decisions[UNDECIDED],
        by_status=dict(Counter(r.status for r in rows if r.decision == APPLICABLE)),
    )


def summary(session: Session) -> SoaSummary:
    return summarise(statement(session))


def excluded_controls(session: Session) -> dict[str, str]:
    """Controls marked not applicable with a justification -> that justification."""
    return {e.control: e.justification for e in session.exec(select(SoaEntry)) if not e.applicable and e.justification}


def applicable_controls(session: Session) -> set[str]:
    """Controls decided as applicable (undecided ones are not counted as applicable)."""
    return {e.control for e in session.exec(select(SoaEntry)) if e.applicable}
