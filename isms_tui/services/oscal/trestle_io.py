"""Validating and serialising the OSCAL documents with compliance-trestle's models.

trestle is an optional extra (`pip install 'isms-tui[oscal]'`) and costs about 0.6 s to import,
so it is imported here, inside the functions, only when a document is exported.
"""

from __future__ import annotations

import importlib
from typing import Any

from isms_tui.errors import InputError

from .common import OSCAL_VERSION_PLACEHOLDER, Json

INSTALL_HINT = (
    "OSCAL export needs compliance-trestle, which is not installed; install it with: pip install 'isms-tui[oscal]'."
)
# Document kind -> (trestle module, model class, the wrapper key in the JSON file).
MODELS = {
    "assessment-results": ("trestle.oscal.assessment_results", "AssessmentResults"),
    "assessment-plan": ("trestle.oscal.assessment_plan", "AssessmentPlan"),
    "catalog": ("trestle.oscal.catalog", "Catalog"),
}


class OscalUnavailable(InputError):
    """The oscal extra is not installed."""


def _import(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise OscalUnavailable(INSTALL_HINT) from None


def model_class(kind: str) -> Any:
    module, name = MODELS[kind]
    return getattr(_import(module), name)


def validated(kind: str, doc: Json) -> Any:
    """Parse `doc` into trestle's model of `kind` (pydantic validates every field on the way)
    and check it with trestle's own validators (duplicate UUIDs, role references, links).

    A value OSCAL refuses is one sentence (InputError); a document that fails trestle's
    validators after parsing is a fault of this application: it raises.
    """
    doc["metadata"]["oscal-version"] = _import("trestle.oscal").OSCAL_VERSION
    assert doc["metadata"]["oscal-version"] != OSCAL_VERSION_PLACEHOLDER
    cls = model_class(kind)
    try:
        model = cls.model_validate(doc)
    except ValueError as exc:  # pydantic's ValidationError: a value our records hold that OSCAL refuses
        raise InputError(invalid_sentence(kind, exc)) from None
    problem = check(model)
    if problem:
        raise ValueError(f"The {kind} document fails trestle's validation: {problem}")
    return model


def check(model: Any) -> str | None:
    """Run trestle's registered validators (its `all` mode); the first failure's message, or None."""
    import argparse

    factory = _import("trestle.core.validator_factory").validator_factory
    validator = factory.get(argparse.Namespace(mode="all"))
    if validator.model_is_valid(model, True, None):
        return None
    return str(validator.error_msg())


def to_json(kind: str, doc: Json) -> bytes:
    """The validated document as OSCAL JSON (wrapped in its model's key, indented, final newline)."""
    model = validated(kind, doc)
    data: bytes = model.oscal_serialize_json_bytes(pretty=True, wrapped=True)
    return data + b"\n"


def invalid_sentence(kind: str, error: Exception) -> str:
    """One sentence for a document pydantic refused: where, and why (the first problem)."""
    errors = getattr(error, "errors", None)
    first = errors()[0] if callable(errors) and errors() else None
    if first is None:
        return f"The {kind} document could not be made valid OSCAL ({error}); nothing was written."
    where = ".".join(str(p) for p in first.get("loc", ()))
    why = first.get("msg", "invalid")
    return f"The {kind} document could not be made valid OSCAL: {where}: {why}; nothing was written."
