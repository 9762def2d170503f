"""Hostile input: arbitrary bytes and text never crash the importer or the validators, never
write half of anything, and user text full of markup, control and bidi characters renders
literally in the TUI."""

from __future__ import annotations

import math
import os
import string
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from isms_tui.models import Direction, Frequency, JournalEntry, KpiType, Person, Reading
from isms_tui.models.db import session_scope
from isms_tui.services import kpis, periods, readings, readings_csv, workspace
from isms_tui.services.errors import InputError
from isms_tui.services.kpis import KpiInput

from .db_helpers import fresh_engine, workspace_session
from .tui_helpers import drawn, loaded, make_app, opened, wait_for

EXAMPLES = int(os.environ.get("ISMS_HYPOTHESIS_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples on every run: the suite stays deterministic
    database=None,
)

# Text that tends to break things: markup, control characters, bidi overrides, quotes, NUL,
# BOMs, formulas, separators of every kind.
NASTY = [
    "[bold]x[/]",
    "[/]",
    "[link=https://evil.example]click[/link]",
    "[",
    "]",
    "\\[x]",
    "\x00",
    "\x1b[31m",
    "\x07",
    "\r",
    "\n",
    "\r\n",
    "\t",
    "\u202e",
    "\u2066",
    "\ufeff",
    '"',
    '""',
    "'",
    ",",
    ";",
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "1e309",
    "nan",
    "inf",
    "-0",
    "1,5",
    "1_000",
    "٣",
    "２",
    "𝟙",
    "2026-W53",
    "2026-13",
    "0000-01-01",
    "9999-12-31",
    "M1",
    "K1",
    " ",
    "é",
    "😀",
    "x" * 300,
]
nasty_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(NASTY),
    st.lists(st.sampled_from(NASTY), max_size=6).map("".join),
)


@pytest.fixture
def ws(db_path: Path):
    with fresh_engine(db_path) as engine:
        with session_scope(engine, "setup") as s:
            workspace.save_workspace(s, "Acme Ltd")
            kpis.save_kpi(s, KpiInput(code="M1", name="Monthly", target=90.0, started_on=date(2020, 1, 1)))
            kpis.save_kpi(
                s,
                KpiInput(
                    code="K1",
                    name="Weekly",
                    target=5.0,
                    frequency=Frequency.WEEKLY,
                    direction=Direction.LOWER_BETTER,
                    started_on=date(2020, 1, 1),
                ),
            )
            k = kpis.save_kpi(s, KpiInput(code="OLD", name="Retired", target=1.0, started_on=date(2020, 1, 1)))
            kpis.set_active(s, k.id, False)
            readings.record_reading(s, 1, date(2026, 1, 1), 50.0)
        yield engine


def counts(session: Session) -> tuple[int, int]:
    return (
        session.exec(select(func.count()).select_from(Reading)).one(),
        session.exec(select(func.count()).select_from(JournalEntry)).one(),
    )


def attempt_import(engine, path: Path, replace: bool) -> None:
    """Import inside a transaction that is always rolled back; check all-or-nothing."""
    with Session(engine, expire_on_commit=False) as s:
        s.info["isms_actor"] = "fuzz"
        before = counts(s)
        try:
            try:
                result = readings_csv.import_readings(s, path, entered_by="fuzz", replace=replace)
            except InputError:
                assert counts(s) == before, "a rejected import wrote something"
                return
            readings_after, journal_after = counts(s)
            assert readings_after == before[0] + result.created
            assert journal_after == before[1] + result.count  # every written row journaled
        finally:
            s.rollback()


# -- the readings CSV importer ----------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=3000), replace=st.booleans())
def test_import_arbitrary_bytes(ws, tmp_path, data, replace):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    attempt_import(ws, path, replace)


header = st.sampled_from(
    [
        "kpi,date,value,note",
        "kpi,date,value,note",
        "kpi,date,value,note",
        "kpi,date,value",
        "KPI , Date,VALUE,entered_by,note",
        "kpi,period,date,value,note,entered_by,entered_at",
        "kpi,date",
        "kpi,date,value,value",
        "x,y,z",
        "",
    ]
)
cell = st.one_of(
    nasty_text,
    st.sampled_from(
        [
            "M1",
            "K1",
            "OLD",
            "2026-01-15",
            "2025-12-29",
            "2026-11-27T23:59:59",
            "2027-01-01",
            "2026-01",
            "12",
            "12.5",
            "-3",
            "1e3",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
)
garbage_row = st.lists(cell, min_size=0, max_size=8)
valid_row = st.tuples(
    st.sampled_from(["M1", "K1", " K1 "]),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 11, 28)).map(date.isoformat),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    nasty_text,
).map(list)
row = st.one_of(valid_row, valid_row, valid_row, garbage_row)


def csv_line(fields: list[str]) -> str:
    out = []
    for f in fields:
        needs_quotes = any(c in f for c in ',"\r\n')
        out.append('"' + f.replace('"', '""') + '"' if needs_quotes else f)
    return ",".join(out)


@FUZZ
@given(head=header, rows=st.lists(row, max_size=6), bom=st.booleans(), crlf=st.booleans(), replace=st.booleans())
def test_import_structured_garbage(ws, tmp_path, head, rows, bom, crlf, replace):
    newline = "\r\n" if crlf else "\n"
    text = newline.join([head, *(csv_line(r) for r in rows)])
    path = tmp_path / "fuzz.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass"))
    attempt_import(ws, path, replace)


@FUZZ
@given(noise=st.text(min_size=1, max_size=400))
def test_import_of_a_mostly_valid_file_with_one_bad_row_writes_nothing(ws, tmp_path, noise):
    good = [f"K1,{date.fromordinal(date(2025, 1, 6).toordinal() + 7 * i).isoformat()},{i}" for i in range(30)]
    bad = good[:15] + [csv_line(["K1", "2025-06-01", noise])] + good[15:]
    path = tmp_path / "fuzz.csv"
    path.write_text("kpi,date,value\n" + "\n".join(bad) + "\n", encoding="utf-8", errors="surrogatepass")
    with Session(ws) as s:
        before = counts(s)
        try:
            readings_csv.import_readings(s, path)
        except InputError:
            assert counts(s) == before
        else:  # the noise happened to be a valid number for a fresh week
            assert counts(s)[0] == before[0] + 31
        finally:
            s.rollback()


# -- the form validators ------------------------------------------------------------------------------


@FUZZ
@given(text=st.one_of(nasty_text, st.floats().map(repr), st.integers().map(str)))
def test_parse_value_returns_a_finite_number_or_input_error(text):
    try:
        value = readings.parse_value(text)
    except InputError as exc:
        assert str(exc)
    else:
        assert isinstance(value, float) and math.isfinite(value)


@FUZZ
@given(
    text=st.one_of(
        nasty_text,
        st.dates().map(date.isoformat),
        st.builds(lambda y, w: f"{y:04d}-W{w:02d}", st.integers(0, 9999), st.integers(0, 60)),
        st.builds(lambda y, q: f"{y:04d}-Q{q}", st.integers(0, 9999), st.integers(0, 9)),
        st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(0, 9999), st.integers(0, 99)),
    ),
    freq=st.sampled_from(list(Frequency)),
)
def test_parse_period_returns_a_period_start_or_value_error(text, freq):
    try:
        start = periods.parse_period(text, freq)
    except ValueError:
        return
    assert periods.period_start(start, freq) == start


optional_float = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True))


@FUZZ
@given(
    code=nasty_text,
    name=nasty_text,
    target=optional_float,
    warning=optional_float,
    target_high=optional_float,
    warning_high=optional_float,
    direction=st.sampled_from(list(Direction)),
    kpi_type=st.sampled_from(list(KpiType)),
    grace_days=st.integers(-(10**6), 10**6),
    text=nasty_text,
)
def test_kpi_validate_never_raises(
    code, name, target, warning, target_high, warning_high, direction, kpi_type, grace_days, text
):
    data = KpiInput(
        code=code,
        name=name,
        target=target,
        warning=warning,
        target_high=target_high,
        warning_high=warning_high,
        direction=direction,
        kpi_type=kpi_type,
        grace_days=grace_days,
        method=text,
        unit=text,
        information_need=text,
    )
    errors = kpis.validate(data)
    assert isinstance(errors, dict) and all(isinstance(v, str) and v for v in errors.values())
    if kpis.CODE_RE.match(code.strip()) is None:
        assert "code" in errors


@FUZZ
@given(name=nasty_text, role=nasty_text, email=nasty_text, areas=st.lists(nasty_text, max_size=5))
def test_save_person_with_arbitrary_text(ws, name, role, email, areas):
    from isms_tui.models.sanitize import clean

    with Session(ws) as s:
        s.info["isms_actor"] = "fuzz"
        try:
            try:
                person = workspace.save_person(s, name, role, email, areas)
            except InputError as exc:
                assert str(exc)
                bad_email = bool(clean(email).strip()) and not workspace.EMAIL_RE.fullmatch(clean(email).strip())
                assert not clean(name).strip() or workspace.person_by_name(s, clean(name)) is not None or bad_email
                return
            s.expire_all()
            stored = s.get(Person, person.id)
            assert stored.name == clean(name).strip() and stored.role == clean(role.strip())
            assert stored.areas == sorted({clean(a).strip() for a in areas if clean(a).strip()})
        finally:
            s.rollback()


# -- rendering hostile text in the TUI ------------------------------------------------------------------

MARKUP = "[bold]x[/]"
LINK = "[link=https://evil.example]click[/link]"
CLOSE = "[/] [red]not red"
CONTROL = "bell\x07esc\x1b[31mred\x08back"
RTL = "\u202eevil\u202c right-to-left"
LONG = "L" * 10_000


def hostile_workspace(db_path: Path) -> None:
    with workspace_session(db_path, "setup") as s:
        workspace.save_workspace(s, "Org [bold]name[/]", scope=CLOSE)
        owner = workspace.save_person(s, "[/] Eve [i]", role=MARKUP, areas=[LINK])
        for i, name in enumerate([MARKUP, LINK, CLOSE, CONTROL, RTL, LONG]):
            k = kpis.save_kpi(
                s,
                KpiInput(
                    code=f"H{i}",
                    name=name,
                    target=1.0,
                    unit="[u]",
                    method=CLOSE,
                    information_need=LINK,
                    data_source=CONTROL,
                    collector_id=owner.id,
                    analyst_id=owner.id,
                    started_on=date(2026, 1, 1),
                ),
            )
            readings.record_reading(
                s, k.id, date(2026, 10, 1), 1.0, note=[MARKUP, CLOSE, LONG][i % 3], entered_by=CLOSE
            )


def screen_text(app) -> str:
    """What the terminal would show: the text runs of the SVG screenshot, unescaped."""
    import html
    import re

    svg = app.export_screenshot()
    runs = re.findall(r"<text[^>]*>(.*?)</text>", svg[svg.index("</style>") :], flags=re.S)
    return "\n".join(html.unescape(r).replace("\u00a0", " ") for r in runs)


async def show_kpi_list(pilot) -> None:
    """Open the KPI list of the hostile workspace and wait until its six KPIs are drawn."""
    from textual.widgets import DataTable

    await opened(pilot)
    await pilot.press("m")
    await opened(pilot, "monitoring")
    table = pilot.app.screen.query_one("#kpis", DataTable)
    await wait_for(pilot, lambda: table.row_count == 6)
    await drawn(pilot)


async def test_hostile_text_renders_literally_in_list_detail_and_history(db_path):
    from textual.widgets import DataTable

    hostile_workspace(db_path)
    app = make_app(db_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await show_kpi_list(pilot)
        text = screen_text(app)
        assert MARKUP in text and "[link=https://evil.example]click[" in text and "[/] [red]not red" in text
        assert "[/] Eve [i]" in text  # a person's name, as collector and analyst
        assert "L" * 30 in text  # the 10,000-character name, cut to its column
        await pilot.press("enter")  # the first KPI by urgency/code: H0, named "[bold]x[/]"
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiDetailScreen" and app.screen.report)
        await drawn(pilot)
        text = screen_text(app)
        kpi_name = app.screen.report.kpi.name
        assert f"{app.screen.report.kpi.code} {kpi_name[:20]}" in text
        assert LINK in text  # the information need
        assert "[/] [red]not red" in text  # the method, and the note or the entered-by
        assert "[/] Eve [i]" in text
        await pilot.press("h")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HistoryModal" and app.screen.loaded)
        await drawn(pilot)
        text = screen_text(app)
        assert "create" in text and "[u]" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiDetailScreen")
        seen = {app.screen.kpi_id}
        for row in range(1, 6):  # every other hostile KPI's detail renders too
            await pilot.press("escape")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiListScreen")
            table = app.screen.query_one("#kpis", DataTable)
            table.move_cursor(row=row)
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "KpiDetailScreen" and app.screen.report)
            seen.add(app.screen.kpi_id)
            await pilot.press("h")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "HistoryModal" and app.screen.loaded)
            shown = app.screen.query_one("#history").content.plain
            assert "\x1b" not in shown and "\u202e" not in shown  # escaped in the history
            await pilot.press("escape")
        assert len(seen) == 6
        await pilot.press("escape")
        await pilot.press("d")
        await opened(pilot, "dashboard")
        await loaded(pilot)
        assert MARKUP in screen_text(app)
        assert app.return_code is None  # nothing crashed


async def test_escape_sequences_in_user_text_do_not_reach_the_terminal(db_path):
    hostile_workspace(db_path)
    app = make_app(db_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await show_kpi_list(pilot)
        assert "\x1b" not in screen_text(app)


def test_show_value_escapes_bidi_and_control_characters():
    from isms_tui.screens.history import show_value

    shown = show_value("a\u202eb\x1bc\x00" + "z" * 500)
    assert "\u202e" not in shown and "\\u202e" in shown
    assert "\x1b" not in shown and "\x00" not in shown
    assert len(shown) <= 160
    assert set(show_value(MARKUP)) <= set(string.printable)


def test_control_characters_never_enter_the_workspace(session):
    from isms_tui.models.sanitize import clean

    person = workspace.save_person(session, "Eve\x1b[31m\u202eevil\x00", role="a\tb\nc")
    session.flush()
    assert person.name == "Eve[31mevil" and person.role == "a\tb\nc"
    assert clean("plain") == "plain"


async def test_control_characters_stored_outside_the_app_do_not_reach_the_terminal(db_path):
    import sqlite3

    from textual.widgets import DataTable

    hostile_workspace(db_path)
    con = sqlite3.connect(db_path)
    con.execute("UPDATE kpi SET name = 'Bad\x1b[2Jname\u202e' WHERE code = 'H0'")
    con.commit()
    con.close()
    app = make_app(db_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await opened(pilot)
        await pilot.press("m")
        await opened(pilot, "monitoring")
        table = app.screen.query_one("#kpis", DataTable)
        await wait_for(pilot, lambda: table.row_count == 6)
        await drawn(pilot)
        text = screen_text(app)
        assert "\x1b" not in text and "\u202e" not in text and "Bad[2Jname" in text
