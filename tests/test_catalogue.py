"""The ISO/IEC 27001:2022 requirement catalogue (data + stdlib loader)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from isms_tui import catalogues
from isms_tui.catalogues import Requirement, by_ref, clauses, controls, natural_key, requirements, sections

CLAUSE_REFS = [
    "4.1", "4.2", "4.3", "4.4",
    "5.1", "5.2", "5.3",
    "6.1.1", "6.1.2", "6.1.3", "6.2", "6.3",
    "7.1", "7.2", "7.3", "7.4", "7.5.1", "7.5.2", "7.5.3",
    "8.1", "8.2", "8.3",
    "9.1", "9.2.1", "9.2.2", "9.3.1", "9.3.2", "9.3.3",
    "10.1", "10.2",
]  # fmt: skip

CONTROLS_PER_THEME = {"Organizational": (5, 37), "People": (6, 8), "Physical": (7, 14), "Technological": (8, 34)}

CLAUSE_THEMES = {
    "4": "Context of the organization",
    "5": "Leadership",
    "6": "Planning",
    "7": "Support",
    "8": "Operation",
    "9": "Performance evaluation",
    "10": "Improvement",
}


def _raw() -> dict:
    text = resources.files("isms_tui.catalogues").joinpath("iso27001_2022.json").read_text(encoding="utf-8")
    return json.loads(text)


def test_json_header() -> None:
    data = _raw()
    assert data["standard"] == "ISO/IEC 27001:2022"
    assert "original to isms-tui" in data["note"]
    assert catalogues.standard() == "ISO/IEC 27001:2022"


def test_exactly_the_thirty_clause_requirements() -> None:
    refs = [r.ref for r in clauses()]
    assert refs == CLAUSE_REFS
    assert len(refs) == 30
    for req in clauses():
        assert req.kind == "clause"
        assert req.theme == CLAUSE_THEMES[req.ref.split(".")[0]]


def test_ninety_three_controls_numbered_without_gaps() -> None:
    ctrls = controls()
    assert len(ctrls) == 93
    by_theme = Counter(r.theme for r in ctrls)
    assert by_theme == {theme: count for theme, (_, count) in CONTROLS_PER_THEME.items()}
    for theme, (group, count) in CONTROLS_PER_THEME.items():
        refs = [r.ref for r in ctrls if r.theme == theme]
        assert refs == [f"A.{group}.{n}" for n in range(1, count + 1)], theme
    assert all(r.kind == "control" for r in ctrls)


def test_refs_are_unique() -> None:
    refs = [r.ref for r in requirements()]
    assert len(refs) == len(set(refs)) == 123
    raw_refs = [e["ref"] for e in _raw()["requirements"]]
    assert len(raw_refs) == len(set(raw_refs))
    assert set(by_ref()) == set(refs)


def test_every_entry_is_complete() -> None:
    for req in requirements():
        assert req.title.strip() and req.title == req.title.strip(), req.ref
        assert req.theme.strip(), req.ref
        assert 1 <= len(req.questions) <= 3, req.ref
        assert 1 <= len(req.evidence) <= 3, req.ref
        assert all(isinstance(q, str) and q.strip() for q in req.questions), req.ref
        assert all(isinstance(e, str) and e.strip() for e in req.evidence), req.ref
        assert isinstance(req.questions, tuple) and isinstance(req.evidence, tuple)


def test_file_order_is_natural_and_clauses_come_first() -> None:
    raw_refs = [e["ref"] for e in _raw()["requirements"]]
    assert raw_refs == sorted(raw_refs, key=natural_key)
    assert [r.ref for r in requirements()] == raw_refs
    kinds = [r.kind for r in requirements()]
    assert kinds == ["clause"] * 30 + ["control"] * 93
    section_refs = [s["ref"] for s in _raw()["sections"]]
    assert section_refs == sorted(section_refs, key=natural_key)


@pytest.mark.parametrize(
    ("ref", "title"),
    [
        ("4.3", "Determining the scope of the information security management system"),
        ("6.3", "Planning of changes"),
        ("9.1", "Monitoring, measurement, analysis and evaluation"),
        ("9.2.1", "General"),
        ("9.2.2", "Internal audit programme"),
        ("9.3.2", "Management review inputs"),
        ("9.3.3", "Management review results"),
        ("10.1", "Continual improvement"),
        ("10.2", "Nonconformity and corrective action"),
        ("A.5.1", "Policies for information security"),
        ("A.5.7", "Threat intelligence"),
        ("A.5.23", "Information security for use of cloud services"),
        ("A.5.30", "ICT readiness for business continuity"),
        ("A.5.37", "Documented operating procedures"),
        ("A.6.8", "Information security event reporting"),
        ("A.7.4", "Physical security monitoring"),
        ("A.7.14", "Secure disposal or re-use of equipment"),
        ("A.8.9", "Configuration management"),
        ("A.8.10", "Information deletion"),
        ("A.8.11", "Data masking"),
        ("A.8.12", "Data leakage prevention"),
        ("A.8.16", "Monitoring activities"),
        ("A.8.23", "Web filtering"),
        ("A.8.28", "Secure coding"),
        ("A.8.34", "Protection of information systems during audit testing"),
    ],
)
def test_spot_check_titles(ref: str, title: str) -> None:
    assert by_ref()[ref].title == title


def test_sections_group_every_requirement() -> None:
    secs = sections()
    assert secs["9"] == "Performance evaluation"
    assert secs["9.2"] == "Internal audit"
    assert secs["9.3"] == "Management review"
    assert secs["6.1"] == "Actions to address risks and opportunities"
    assert secs["7.5"] == "Documented information"
    assert secs["A.8"] == "Technological controls"
    assert not set(secs) & set(by_ref()), "sections are not auditable items"
    for req in requirements():
        parts = req.ref.split(".")
        top = ".".join(parts[:2]) if req.kind == "control" else parts[0]
        assert top in secs, req.ref
        if req.kind == "clause" and len(parts) == 3:
            assert ".".join(parts[:2]) in secs, req.ref
        if req.kind == "clause":
            assert req.theme == secs[top]


def test_requirement_is_frozen_and_loader_is_cached() -> None:
    req = by_ref()["9.2.2"]
    assert isinstance(req, Requirement)
    with pytest.raises(dataclasses.FrozenInstanceError):
        req.title = "x"  # type: ignore[misc]
    assert requirements() is requirements()
    assert clauses() is clauses()
    mapping = by_ref()
    mapping.clear()
    assert len(by_ref()) == 123, "callers cannot corrupt the cached index"
    secs = sections()
    secs.clear()
    assert sections()


def test_natural_key() -> None:
    assert natural_key("A.5.10") > natural_key("A.5.9")
    assert natural_key("10.2") > natural_key("9.3.3")
    assert natural_key("9.2") < natural_key("9.2.1") < natural_key("9.2.2")
    assert natural_key("10.2") < natural_key("A.5.1"), "clauses sort before Annex A"
    assert sorted(["A.8.1", "A.5.10", "A.5.2", "10.1", "4.1", "6.1.3"], key=natural_key) == [
        "4.1",
        "6.1.3",
        "10.1",
        "A.5.2",
        "A.5.10",
        "A.8.1",
    ]


def test_loading_imports_neither_textual_nor_sqlmodel() -> None:
    code = (
        "import sys\n"
        "from isms_tui import catalogues\n"
        "assert len(catalogues.requirements()) == 123\n"
        "catalogues.by_ref(); catalogues.sections()\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'sqlmodel', 'sqlalchemy'})\n"
        "print(','.join(bad))\n"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
