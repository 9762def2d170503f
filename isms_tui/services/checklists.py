"""Checklist templates: built-in ones derived from the requirement catalogue, and the user's own.

Built-in templates are computed, never stored, so a catalogue update reaches them at once;
a user who wants to change one copies it first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from isms_tui import catalogues
from isms_tui.models import ChecklistQuestion, ChecklistTemplate, require_id

from . import soa
from .errors import InputError, NotFound

BUILTIN_CLAUSES = "ISO 27001:2022 management system (clauses 4–10)"
BUILTIN_ANNEX_A = "ISO 27001:2022 Annex A controls"
BUILTIN_FULL = "ISO 27001:2022 clauses and Annex A"
BUILTINS = (BUILTIN_CLAUSES, BUILTIN_ANNEX_A, BUILTIN_FULL)
# Field limits (characters) of a question, shared with the CSV/JSON importer.
MAX_REF, MAX_TITLE, MAX_QUESTION, MAX_EVIDENCE_HINT = 40, 300, 4000, 4000


@dataclass(frozen=True)
class Question:
    ref: str
    title: str
    question: str
    evidence_hint: str = ""


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    builtin: bool
    size: int
    description: str = ""


def _from_catalogue(kinds: tuple[str, ...]) -> list[Question]:
    """One line per requirement, its questions together (the organisation's own checklists may
    give a requirement several lines, one per question: coverage counts it through all of them)."""
    return [
        Question(r.ref, r.title, " ".join(r.questions), "; ".join(r.evidence))
        for r in catalogues.requirements()
        if r.kind in kinds
    ]


def builtin_questions(name: str) -> list[Question]:
    kinds = {BUILTIN_CLAUSES: ("clause",), BUILTIN_ANNEX_A: ("control",), BUILTIN_FULL: ("clause", "control")}[name]
    return _from_catalogue(kinds)


def list_templates(session: Session) -> list[TemplateInfo]:
    out = [TemplateInfo(name, True, len(builtin_questions(name)), "Built in, from the catalogue") for name in BUILTINS]
    for tpl in session.exec(select(ChecklistTemplate).order_by(ChecklistTemplate.name)):
        count = len(session.exec(select(ChecklistQuestion.id).where(ChecklistQuestion.template_id == tpl.id)).all())
        out.append(TemplateInfo(tpl.name, False, count, tpl.description))
    return out


def get_template(session: Session, name: str) -> ChecklistTemplate:
    tpl = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.name == name)).first()
    if tpl is None:
        raise NotFound(f"No checklist called '{name}'.")
    return tpl


def questions(session: Session, name: str) -> list[Question]:
    """The questions of a built-in or user template, in order."""
    if name in BUILTINS:
        return builtin_questions(name)
    tpl = get_template(session, name)
    rows = session.exec(
        select(ChecklistQuestion)
        .where(ChecklistQuestion.template_id == tpl.id)
        .order_by(col(ChecklistQuestion.position))
    )
    return [Question(q.ref, q.title, q.question, q.evidence_hint) for q in rows]


def applicable_scope(session: Session, name: str, refs: list[str]) -> list[str]:
    """The scope "applicable controls only": the refs of the checklist (within `refs` when any
    are given) that are clauses, the organisation's own requirements, or Annex A controls the
    statement of applicability decides as applicable. Undecided and excluded controls are left
    out, and the audit's scope then lists exactly what was taken."""
    wanted = {r.strip() for r in refs if r.strip()}
    applicable = soa.applicable_controls(session)
    known = catalogues.by_ref()
    out: list[str] = []
    for q in questions(session, name):
        req = known.get(q.ref)
        if wanted and q.ref not in wanted or q.ref in out:
            continue
        if req is None or not req.is_control or q.ref in applicable:
            out.append(q.ref)
    return out


def save_template(
    session: Session, name: str, items: list[Question], description: str = "", replace: bool = False
) -> ChecklistTemplate:
    """Create (or with `replace`, overwrite) a user template; validates every question."""
    name = name.strip()
    if not name:
        raise InputError("A checklist needs a name.", {"name": "Required."})
    if name in BUILTINS:
        raise InputError(f"'{name}' is a built-in checklist; choose another name.", {"name": "Reserved."})
    if not items:
        raise InputError("A checklist needs at least one question.")
    problems = [f"question {i}: {msg}" for i, q in enumerate(items, 1) for msg in _question_problems(q)]
    if problems:
        raise InputError("; ".join(problems[:5]) + ("…" if len(problems) > 5 else ""))
    existing = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.name == name)).first()
    if existing is not None and not replace:
        raise InputError(f"There is already a checklist called '{name}'.", {"name": "Already used."})
    if existing is not None:
        for q in session.exec(select(ChecklistQuestion).where(ChecklistQuestion.template_id == existing.id)):
            session.delete(q)
        tpl = existing
        tpl.description = description.strip()
    else:
        tpl = ChecklistTemplate(name=name, description=description.strip())
    session.add(tpl)
    session.flush()
    template_id = require_id(tpl)
    session.add_all(
        ChecklistQuestion(
            template_id=template_id,
            position=i,
            ref=q.ref.strip(),
            title=q.title.strip(),
            question=q.question.strip(),
            evidence_hint=q.evidence_hint.strip(),
        )
        for i, q in enumerate(items, 1)
    )
    session.flush()
    return tpl


def copy_template(session: Session, source: str, new_name: str) -> ChecklistTemplate:
    return save_template(session, new_name, questions(session, source), f"Copied from {source}")


def delete_template(session: Session, name: str) -> None:
    tpl = get_template(session, name)
    for q in session.exec(select(ChecklistQuestion).where(ChecklistQuestion.template_id == tpl.id)):
        session.delete(q)
    session.delete(tpl)
    session.flush()


def _question_problems(q: Question) -> list[str]:
    out = []
    if not q.ref.strip():
        out.append("the ref is empty")
    if not q.title.strip():
        out.append("the title is empty")
    if not q.question.strip():
        out.append("the question is empty")
    if (
        len(q.question) > MAX_QUESTION
        or len(q.title) > MAX_TITLE
        or len(q.ref) > MAX_REF
        or len(q.evidence_hint) > MAX_EVIDENCE_HINT
    ):
        out.append("a field is too long")
    return out
