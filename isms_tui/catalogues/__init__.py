"""The ISO/IEC 27001:2022 requirement catalogue, shipped as data.

The catalogue lists the management-system requirements of clauses 4 to 10 and the 93
Annex A controls. Only references and titles come from the standard (they identify the
requirements); the audit questions and evidence hints are original to isms-tui. The
standard's own requirement text is copyrighted and is deliberately not included.

Stdlib only: this module must stay importable without Textual or SQLModel.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

__all__ = [
    "CATALOGUE_FILE",
    "Requirement",
    "by_ref",
    "clauses",
    "controls",
    "natural_key",
    "requirements",
    "sections",
    "standard",
]

CATALOGUE_FILE = "iso27001_2022.json"

Kind = Literal["clause", "control"]
_KINDS = ("clause", "control")


@dataclass(frozen=True, slots=True)
class Requirement:
    """One auditable requirement: a clause (e.g. ``9.2.2``) or an Annex A control (``A.5.1``)."""

    ref: str
    title: str
    kind: Kind
    theme: str
    questions: tuple[str, ...]
    evidence: tuple[str, ...]

    @property
    def is_control(self) -> bool:
        return self.kind == "control"

    @property
    def label(self) -> str:
        """``"9.2.2 Internal audit programme"`` — ref and title, for lists and reports."""
        return f"{self.ref} {self.title}"


def natural_key(ref: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key for refs: numeric parts compare as numbers, so ``A.5.9`` < ``A.5.10``.

    Clause refs (``4.1`` … ``10.2``) sort before Annex A refs (``A.5.1`` …) because a
    textual part sorts after any number. Shorter refs sort before their children
    (``9.2`` < ``9.2.1``).
    """
    key: list[tuple[int, int, str]] = []
    for part in ref.strip().split("."):
        if part.isdigit():
            key.append((0, int(part), ""))
        else:
            key.append((1, 0, part.upper()))
    return tuple(key)


@functools.cache
def _load() -> dict[str, Any]:
    text = resources.files(__package__).joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("requirements"), list):
        raise ValueError(f"{CATALOGUE_FILE}: expected an object with a 'requirements' list")
    return data


def _strings(value: Any, ref: str, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{CATALOGUE_FILE}: {ref}: '{field}' must be a non-empty list of non-empty strings")
    return tuple(value)


@functools.cache
def requirements() -> tuple[Requirement, ...]:
    """All requirements: clauses in numeric order, then Annex A controls in numeric order."""
    items: list[Requirement] = []
    for raw in _load()["requirements"]:
        ref = raw.get("ref")
        if not isinstance(ref, str) or not ref:
            raise ValueError(f"{CATALOGUE_FILE}: an entry has no 'ref'")
        kind = raw.get("kind")
        if kind not in _KINDS:
            raise ValueError(f"{CATALOGUE_FILE}: {ref}: 'kind' must be one of {_KINDS}")
        title = raw.get("title")
        theme = raw.get("theme")
        if not isinstance(title, str) or not title.strip() or not isinstance(theme, str) or not theme.strip():
            raise ValueError(f"{CATALOGUE_FILE}: {ref}: 'title' and 'theme' must be non-empty strings")
        items.append(
            Requirement(
                ref=ref,
                title=title,
                kind=kind,
                theme=theme,
                questions=_strings(raw.get("questions"), ref, "questions"),
                evidence=_strings(raw.get("evidence"), ref, "evidence"),
            )
        )
    return tuple(sorted(items, key=lambda r: natural_key(r.ref)))


@functools.cache
def _index() -> dict[str, Requirement]:
    index: dict[str, Requirement] = {}
    for req in requirements():
        if req.ref in index:
            raise ValueError(f"{CATALOGUE_FILE}: duplicate ref {req.ref}")
        index[req.ref] = req
    return index


def by_ref() -> dict[str, Requirement]:
    """Requirements keyed by ref (a fresh dict: callers may modify it)."""
    return dict(_index())


@functools.cache
def clauses() -> tuple[Requirement, ...]:
    """The management-system requirements of clauses 4 to 10."""
    return tuple(r for r in requirements() if r.kind == "clause")


@functools.cache
def controls() -> tuple[Requirement, ...]:
    """The 93 Annex A controls."""
    return tuple(r for r in requirements() if r.kind == "control")


@functools.cache
def _sections() -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in _load().get("sections", []):
        out[str(raw["ref"])] = str(raw["title"])
    return dict(sorted(out.items(), key=lambda item: natural_key(item[0])))


def sections() -> dict[str, str]:
    """Grouping headings (``"9"``, ``"9.2"``, ``"A.5"`` …) -> title; not auditable items."""
    return dict(_sections())


def standard() -> str:
    """The standard the catalogue describes, e.g. ``"ISO/IEC 27001:2022"``."""
    return str(_load()["standard"])
