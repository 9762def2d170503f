"""Shared by the pack tests: a demo workspace made once per module, copies of it, PDF text,
and the external tools (a missing tool is a failure under CI, a skip elsewhere)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

DEMO_TODAY = date(2026, 11, 28)


def require_tool(name: str) -> str:
    """The path of a command-line tool; under CI its absence fails the test instead of skipping it."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install poppler-utils qpdf libnss3-tools)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must provide it")
        pytest.skip(message)
    return path


def make_demo(path: Path) -> Path:
    """A demo workspace at `path` (with its evidence store), as of DEMO_TODAY."""
    from isms_tui.services.demo import create_demo

    from .db_helpers import workspace_session

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISMS_TODAY", DEMO_TODAY.isoformat())
        with workspace_session(path, "demo") as session:
            create_demo(session, DEMO_TODAY)
    return path


def copy_workspace(template: Path, folder: Path) -> Path:
    """A private copy of a workspace file and its evidence store."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / template.name
    shutil.copy2(template, target)
    store = template.with_name(template.name + ".evidence")
    if store.is_dir():
        shutil.copytree(store, target.with_name(target.name + ".evidence"))
    return target


def pdf_pages(data: bytes) -> list[str]:
    """Text of each page (pypdf)."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def flat(text: str) -> str:
    """Whitespace collapsed, so text wrapped over lines compares with the original."""
    return " ".join(text.split())


def pdftotext(path: Path) -> str:
    tool = require_tool("pdftotext")
    return subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True).stdout
