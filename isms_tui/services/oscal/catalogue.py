"""The requirement catalogue as an OSCAL catalog.

Groups for clauses 4 to 10 and the Annex A themes 5 to 8; a control per clause requirement and
Annex A control with the standard's reference (label) and title only, never its text (that is
copyrighted); our own audit questions as assessment objectives and our evidence hints as the
objects of an EXAMINE assessment method. The catalog's UUID and version come from the
catalogue file's content, so the same catalogue always exports the same document.
"""

from __future__ import annotations

import hashlib
import uuid
from importlib import resources
from importlib.metadata import PackageNotFoundError, version

from isms_tui import catalogues
from isms_tui.catalogues import Requirement

from .common import OSCAL_VERSION_PLACEHOLDER, UUID_ROOT, Json, control_id, group_id, one_line, prop

# The day the catalogue's content last changed; bump it with iso27001_2022.json.
CATALOGUE_DATE = "2026-12-02T00:00:00Z"
REMARKS = (
    "References and titles identify the requirements of ISO/IEC 27001:2022; the audit questions "
    "and evidence hints are original to isms-tui. The standard's own text is not included."
)


def _digest() -> str:
    data = resources.files(catalogues).joinpath(catalogues.CATALOGUE_FILE).read_bytes()
    return hashlib.sha256(data).hexdigest()


def _app_version() -> str:
    try:
        return version("isms-tui")
    except PackageNotFoundError:
        return "unknown"


def catalogue() -> Json:
    """The catalogue as an OSCAL catalog, as a JSON-shaped dict (unwrapped)."""
    digest = _digest()
    standard = catalogues.standard()
    standard_uuid = str(uuid.uuid5(UUID_ROOT, f"standard:{standard}"))
    sections = catalogues.sections()
    groups: dict[str, list[Requirement]] = {}
    for req in catalogues.requirements():
        parts = req.ref.split(".")
        section = ".".join(parts[:2]) if req.is_control else parts[0]
        groups.setdefault(section, []).append(req)
    return {
        "uuid": str(uuid.uuid5(UUID_ROOT, f"catalogue:{digest}")),
        "metadata": {
            "title": f"{standard} requirements with isms-tui audit questions",
            "last-modified": CATALOGUE_DATE,
            "version": f"isms-tui {_app_version()} catalogue {digest[:12]}",
            "oscal-version": OSCAL_VERSION_PLACEHOLDER,
            "props": [prop("catalogue-sha256", digest)],
            "remarks": REMARKS,
        },
        "groups": [
            {
                "id": group_id(section),
                "class": "annex-a-theme" if section.startswith("A.") else "clause",
                "title": one_line(sections.get(section, section)),
                "props": [{"name": "label", "value": section}],
                "controls": [_control(req, standard_uuid) for req in reqs],
            }
            for section, reqs in groups.items()
        ],
        "back-matter": {
            "resources": [
                {
                    "uuid": standard_uuid,
                    "title": standard,
                    "citation": {"text": f"{standard}, Information security management systems — Requirements."},
                }
            ]
        },
    }


def _control(req: Requirement, standard_uuid: str) -> Json:
    cid = control_id(req.ref)
    return {
        "id": cid,
        "class": "annex-a-control" if req.is_control else "clause-requirement",
        "title": one_line(req.title),
        "props": [{"name": "label", "value": req.ref}, prop("theme", req.theme)],
        "links": [{"href": f"#{standard_uuid}", "rel": "reference"}],
        "parts": [
            {
                "id": f"{cid}_obj",
                "name": "assessment-objective",
                "prose": "What the audit asks (isms-tui's questions, not the standard's text).",
                "parts": [
                    {"id": f"{cid}_obj.{n}", "name": "assessment-objective", "prose": question}
                    for n, question in enumerate(req.questions, start=1)
                ],
            },
            {
                "id": f"{cid}_mth",
                "name": "assessment-method",
                "props": [{"name": "method", "value": "EXAMINE"}],
                "parts": [{"name": "assessment-objects", "prose": hint} for hint in req.evidence],
            },
        ],
    }
