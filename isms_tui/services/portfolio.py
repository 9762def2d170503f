"""The portfolio: every workspace known on this machine (and in a folder) at a glance.

A consultant keeps one workspace per client. Each is summarised with the figures `isms status`
gives for it (`status.summary`, so the numbers are the same by construction), read through
`models.peek.peek_engine`: read-only, no lock, no migration, nothing created. A file that
cannot be read (gone, damaged, foreign, a special file, a schema to upgrade or from a newer
isms-tui) is listed with its one-sentence reason, never skipped.

Which files: the recent list (`config.recent_entries`), the default and demo workspaces when
they exist, and with a folder every `*.db` directly in it. A folder is not searched below its
top level, and a symbolic link in it that leads out of it is listed with that reason instead of
being followed: the folder is what the user pointed at (a client's share may hold links to
anything on the machine), and nothing outside it should be read on its behalf.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from isms_tui.config import default_db_path, demo_db_path, recent_entries

KNOWN = "recent"
FOLDER = "folder"
MAX_FOLDER_FILES = 500  # a folder of thousands of .db files is not a client list


@dataclass(frozen=True)
class Candidate:
    """A file to summarise: where it was found and when it was last opened (if known)."""

    path: Path
    source: str  # KNOWN or FOLDER
    opened_at: datetime | None = None
    problem: str = ""  # a reason found while listing (a link out of the folder)


@dataclass(frozen=True)
class Summary:
    """One workspace's figures, or the reason it cannot be read (`problem`)."""

    path: Path
    source: str
    opened_at: datetime | None
    organisation: str | None = None
    problem: str = ""
    opens_anyway: bool = False  # unreadable as it is, but opening it migrates or sets it up
    kpis_off_target: int = 0
    kpis_overdue: int = 0
    readings_due: int = 0
    readings_overdue: int = 0
    open_nonconformities: int = 0
    next_audit: dict[str, Any] | None = None  # status.next_audit: id, title, state, on
    audit_due_by: str | None = None
    next_review: dict[str, Any] | None = None  # reviews.next: id, title, planned_on
    review_due_by: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        return not self.problem

    def as_json(self) -> dict[str, Any]:
        base: dict[str, Any] = {
            "path": str(self.path),
            "source": self.source,
            "last_opened": self.opened_at.isoformat() if self.opened_at else None,
            "readable": self.readable,
            "problem": self.problem or None,
        }
        if not self.readable:
            return base
        return {
            **base,
            "organisation": self.organisation,
            "kpis_off_target": self.kpis_off_target,
            "kpis_overdue": self.kpis_overdue,
            "readings_due": self.readings_due,
            "readings_overdue": self.readings_overdue,
            "open_nonconformities": self.open_nonconformities,
            "next_audit": self.next_audit,
            "audit_due_by": self.audit_due_by,
            "next_review": self.next_review,
            "review_due_by": self.review_due_by,
            "warnings": self.warnings,
        }


def candidates(folder: Path | None = None) -> list[Candidate]:
    """The files the portfolio lists, known ones first (most recently opened first), then the
    folder's by name; each file once (by its real path)."""
    found: list[Candidate] = [Candidate(e.path, KNOWN, e.opened_at) for e in recent_entries()]
    for extra in (default_db_path(), demo_db_path()):
        if extra.exists():
            found.append(Candidate(extra, KNOWN))
    if folder is not None:
        found.extend(folder_candidates(folder))
    seen: set[str] = set()
    out = []
    for c in found:
        key = os.path.realpath(c.path) if not c.problem else str(c.path)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def check_folder(folder: Path) -> Path:
    """The folder as given, or InputError saying why it cannot be listed."""
    from .errors import InputError

    folder = Path(folder).expanduser()
    if not folder.exists():
        raise InputError(f"The folder {folder} does not exist.")
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder; give the folder that holds the workspaces.")
    return folder


def folder_candidates(folder: Path) -> list[Candidate]:
    """Every `*.db` directly in `folder`, by name; hidden files and SQLite's side files are not workspaces."""
    from .errors import InputError

    folder = check_folder(folder)
    real_folder = os.path.realpath(folder)
    try:
        names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".db") and not e.name.startswith("."))
    except OSError as exc:
        raise InputError(f"Cannot list {folder}: {exc.strerror or exc}.") from None
    out = []
    if len(names) > MAX_FOLDER_FILES:
        more = len(names) - MAX_FOLDER_FILES
        note = f"{folder} holds {more} more *.db files than the {MAX_FOLDER_FILES} listed; give a smaller folder."
        out.append(Candidate(folder, FOLDER, problem=note))
    for name in names[:MAX_FOLDER_FILES]:
        path = folder / name
        real = os.path.realpath(path)
        if path.is_symlink() and os.path.dirname(real) != real_folder:
            out.append(Candidate(path, FOLDER, problem=f"{path} is a link to {real}, outside {folder}; not followed."))
        else:
            out.append(Candidate(path, FOLDER))
    return out


def summarise(candidate: Candidate, today: date) -> Summary:
    """The figures `isms status` gives for one workspace, or why it cannot be read."""
    from sqlalchemy.exc import DBAPIError

    from isms_tui.models.db import WorkspaceError, session_scope
    from isms_tui.models.peek import OpenToUse, peek_engine

    from .damage import DAMAGE_ERRORS
    from .status import summary

    c = candidate
    if c.problem:
        return Summary(c.path, c.source, c.opened_at, problem=c.problem)
    try:
        engine = peek_engine(c.path)
    except OpenToUse as exc:
        return Summary(c.path, c.source, c.opened_at, problem=str(exc), opens_anyway=True)
    except WorkspaceError as exc:
        return Summary(c.path, c.source, c.opened_at, problem=str(exc))
    except OSError as exc:
        return Summary(c.path, c.source, c.opened_at, problem=f"Cannot read {c.path}: {exc.strerror or exc}.")
    try:
        with session_scope(engine) as session:
            data = summary(session, today)
    except DAMAGE_ERRORS as exc:  # a value damaged outside isms
        return Summary(c.path, c.source, c.opened_at, problem=_damaged(c.path, exc))
    except DBAPIError as exc:  # pages damaged past the header, or the file replaced under us
        reason = str(exc.orig) if exc.orig is not None else type(exc).__name__
        return Summary(c.path, c.source, c.opened_at, problem=f"{c.path} cannot be read ({reason}).")
    finally:
        engine.dispose()
    by_status = data["kpis"]["by_status"]
    sched = data["schedule"]
    return Summary(
        c.path,
        c.source,
        c.opened_at,
        organisation=data["organisation"] or None,
        kpis_off_target=by_status["off target"],
        kpis_overdue=by_status["overdue"],
        readings_due=data["readings_due"],
        readings_overdue=data["readings_overdue"],
        open_nonconformities=data["audits"]["open_nonconformities"],
        next_audit=data["next_audit"],
        audit_due_by=sched["audit"]["due_by"],
        next_review=data["reviews"]["next"],
        review_due_by=sched["review"]["due_by"],
        warnings=list(sched["warnings"]),
    )


def _damaged(path: Path, exc: BaseException) -> str:
    from .damage import damaged_value_sentence
    from .errors import InputError

    if isinstance(exc, InputError):
        return str(exc)
    return damaged_value_sentence(path, exc) or f"{path} cannot be read ({type(exc).__name__}); open it in isms."


def portfolio(folder: Path | None, today: date) -> Iterator[Summary]:
    """Every listed workspace's summary, one at a time (a caller shows each as it comes)."""
    for c in candidates(folder):
        yield summarise(c, today)


def audit_text(s: Summary) -> str:
    """'2026-12-01 planned', 'since 2026-11-20' (running), 'due by 2027-03-01' or 'due now'
    when none is planned (as `isms status` says it: the interval after the last one)."""
    a = s.next_audit
    if a is not None:
        return f"since {a['on']}" if a["state"] == "in progress" else f"{a['on']} {a['state']}"
    return f"due by {s.audit_due_by}" if s.audit_due_by else "due now"  # none held yet, or overdue


def review_text(s: Summary) -> str:
    """'2026-12-21 planned', or when the next is due when none is planned."""
    r = s.next_review
    if r is not None:
        return f"{r['planned_on']} planned"
    return f"due by {s.review_due_by}" if s.review_due_by else "due now"


def opened_text(when: datetime | None) -> str:
    """Local time to the minute; '—' when never opened from here (or before the time was kept)."""
    return f"{when.astimezone():%Y-%m-%d %H:%M}" if when else "—"
