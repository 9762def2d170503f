"""The audit exchange from the keyboard: K issues a kit on a planned audit's screen, I on the
Audits screen imports a kit (asking to confirm the client's CA fingerprint first) or results,
X issues the results of a completed kit audit; each ends in one sentence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Static

from isms_tui.models import Audit, AuditStatus, ExchangePackage, Finding

from .db_helpers import read
from .exchange_helpers import CONSULTANT, PASSPHRASE, Identities, build_trip, make_consultant, make_identities
from .tui_helpers import make_app, notifications, opened, type_into, wait_for

SIZE = (120, 40)


@pytest.fixture(scope="module")
def ids(tmp_path_factory: pytest.TempPathFactory) -> Identities:
    return make_identities(tmp_path_factory.mktemp("exchange-tui-keys"))


@pytest.fixture(scope="module")
def trip(ids: Identities, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return build_trip(ids, tmp_path_factory.mktemp("exchange-tui"))


def copy(src: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, folder / src.name)
    store = src.with_name(src.name + ".evidence")
    if store.exists():
        shutil.copytree(store, folder / (src.name + ".evidence"))
    return folder / src.name


def as_org(monkeypatch: pytest.MonkeyPatch, keys: Path) -> None:
    monkeypatch.setenv("ISMS_KEYS_DIR", str(keys))
    monkeypatch.setenv("ISMS_PASSPHRASE", PASSPHRASE)


async def audits_tab(pilot):
    app = await opened(pilot)
    await pilot.press("a")
    await wait_for(pilot, lambda: app.current_mode == "audits" and app.screen.data is not None)
    await pilot.press("4")
    await pilot.pause()
    return app


async def audit_screen(pilot, audit_id: int):
    app = await audits_tab(pilot)
    table = app.screen.query_one("#audit-table", DataTable)
    table.focus()
    table.move_cursor(row=table.get_row_index(str(audit_id)))
    await pilot.press("enter")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "AuditDetailScreen" and app.screen.view is not None)
    await pilot.pause()
    return app


def message(app) -> str:
    return str(app.screen.query_one("#form-message", Static).render())


async def test_issue_a_kit_from_the_audit_screen(ids, trip, tmp_path, monkeypatch):
    as_org(monkeypatch, ids.client_keys)
    client = copy(trip["client"], tmp_path / "client")
    kit = tmp_path / "kit.isms-audit"
    async with make_app(client).run_test(size=SIZE, notifications=True) as pilot:
        app = await audit_screen(pilot, 1)
        await pilot.press("K")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "IssueKitForm")
        await type_into(pilot, "#field-recipient Input", CONSULTANT)
        await type_into(pilot, "#field-out Input", str(kit))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuditDetailScreen")
        await wait_for(pilot, lambda: "Kit issued to" in str(app.screen.query_one("#audit-head", Static).render()))
        assert any("Wrote the signed audit kit" in n.message for n in notifications(app))
    assert kit.is_file()
    kinds = read(client, lambda s: [(r.kind, r.direction) for r in s.exec(select(ExchangePackage))])
    assert kinds == [("kit", "out"), ("kit", "out")]  # the module's kit, and this one


async def test_import_a_kit_confirming_the_fingerprint(ids, trip, tmp_path, monkeypatch):
    as_org(monkeypatch, ids.consultant_keys)
    consultant = tmp_path / "consultant.db"
    make_consultant(consultant)
    async with make_app(consultant).run_test(size=SIZE, notifications=True) as pilot:
        app = await audits_tab(pilot)
        await pilot.press("K")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ImportPackageForm")
        await type_into(pilot, "#field-path Input", str(trip["kit"]))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "not trusted here yet" in message(app))
        assert "ctrl+s again" in message(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuditsScreen")
        assert any("Imported the audit kit" in n.message for n in notifications(app))
    assert read(consultant, lambda s: s.get(Audit, 1).status) == AuditStatus.PLANNED


async def test_issue_results_from_the_audit_screen(ids, trip, tmp_path, monkeypatch):
    as_org(monkeypatch, ids.consultant_keys)
    consultant = copy(trip["consultant"], tmp_path / "consultant")
    results = tmp_path / "results.isms-audit"
    async with make_app(consultant).run_test(size=SIZE, notifications=True) as pilot:
        app = await audit_screen(pilot, 1)
        await pilot.press("X")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "IssueResultsForm")
        await type_into(pilot, "#field-out Input", str(results))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuditDetailScreen")
        assert any("Wrote the signed audit results" in n.message for n in notifications(app))
    assert results.is_file()


async def test_import_results_trusting_the_auditors_ca(ids, trip, tmp_path, monkeypatch):
    as_org(monkeypatch, ids.client_keys)
    results = trip["results"]
    client = copy(trip["client"], tmp_path / "client")
    async with make_app(client).run_test(size=SIZE, notifications=True) as pilot:
        app = await audits_tab(pilot)
        await pilot.press("K")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ImportPackageForm")
        await type_into(pilot, "#field-path Input", str(results))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "not trusted here" in message(app))
        await type_into(pilot, "#field-trust Input", str(ids.ca(ids.consultant_keys)))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AuditsScreen")
        assert any("Imported the results of audit 1" in n.message for n in notifications(app))
    assert read(client, lambda s: (s.get(Audit, 1).status, len(list(s.exec(select(Finding)))))) == (
        AuditStatus.COMPLETED,
        1,
    )
