"""The portfolio: every workspace on this machine (and in a folder) at a glance; enter opens one.

The files are listed at once; a thread then reads each one read-only (no lock, no migration,
`services/portfolio.py`) and its row fills in as it comes, so a slow or damaged file never
holds the list. A file that cannot be read shows why under the table.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static
from textual.worker import get_current_worker

from isms_tui.models.sanitize import clean
from isms_tui.widgets.footer import NARROW_WIDTH, IsmsFooter
from isms_tui.widgets.tables import RecordTable

if TYPE_CHECKING:
    from isms_tui.services.portfolio import Candidate, Summary

# (key, header, width, the narrowest terminal that shows it). Headers are short so that the
# figures fit; the organisation takes what is left (cut with an ellipsis, in full under the
# table). On a narrower terminal the dates fold into the line under the table.
COLUMNS = (
    ("Organisation", "Organisation", 0, 0),
    ("File", "File", 14, 0),
    ("Off target", "Off", 3, 0),
    ("Readings due", "Due", 13, 0),
    ("Next audit", "Next audit", 18, NARROW_WIDTH),
    ("Open NCs", "NCs", 3, 0),
    ("Next review", "Next review", 18, NARROW_WIDTH),
    ("Last opened", "Opened", 16, 130),
)
MIN_ORGANISATION = 12


def shown_columns(width: int) -> list[tuple[str, str, int]]:
    """The columns for a terminal `width` columns wide, the organisation's width filled in."""
    kept = [(key, header, w) for key, header, w, least in COLUMNS if width >= least]
    # each column is padded by one cell on either side; 2 more for the vertical scrollbar
    taken = sum(w + 2 for _, _, w in kept) + 2 + 2
    rest = max(MIN_ORGANISATION, width - taken)
    return [(key, header, w or rest) for key, header, w in kept]


class PortfolioScreen(Screen[Path | None]):
    """Returns the workspace to open (None: stay where you are, or leave)."""

    HELP = (
        "Every workspace on this machine at a glance, one per organisation: KPIs off target and "
        "readings due (9.1), the next audit and open nonconformities (9.2, 10.2), the next "
        "management review (9.3); enter opens one."
    )

    DEFAULT_CSS = """
    PortfolioScreen #portfolio-title { text-style: bold; padding: 0 1; }
    PortfolioScreen #portfolio { height: 1fr; }
    PortfolioScreen #portfolio-detail { height: auto; min-height: 2; padding: 0 1; }
    PortfolioScreen #portfolio-detail.problem { color: $error; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open", priority=True),
        Binding("f5", "refresh", "Refresh"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, current: Path | None = None, folder: Path | None = None) -> None:
        super().__init__()
        self.current = Path(current).expanduser().resolve() if current is not None else None
        self.folder = folder
        self.rows: dict[str, Summary] = {}
        self.listed: dict[str, Candidate] = {}
        self.columns: list[tuple[str, str, int]] = []  # (key, header, width) as shown now

    def compose(self) -> ComposeResult:
        yield Header()
        where = f" and in {self.folder}" if self.folder is not None else ""
        yield Static(f"Portfolio: the workspaces known on this machine{where}", id="portfolio-title", markup=False)
        yield RecordTable(id="portfolio", cursor_type="row", zebra_stripes=True)
        yield Static("Reading the workspaces…", id="portfolio-detail", markup=False)
        yield IsmsFooter()

    def on_mount(self) -> None:
        self._add_columns()
        self.query_one("#portfolio", DataTable).focus()
        self.read_all()

    def _add_columns(self) -> None:
        table = self.query_one("#portfolio", RecordTable)
        self.columns = shown_columns(self.app.size.width)
        for key, header, width in self.columns:
            table.add_column(header, width=width, key=key)

    def on_resize(self) -> None:
        """As the terminal narrows the dates go (and come back as it widens); otherwise the
        organisation takes the width there is."""
        if not self.columns:  # not mounted yet
            return
        table = self.query_one("#portfolio", RecordTable)
        wanted = shown_columns(self.app.size.width)
        if [c[0] for c in wanted] == [c[0] for c in self.columns]:
            self.columns = wanted
            table.set_column_width("Organisation", wanted[0][2])
            return
        cursor = table.cursor_row
        table.clear(columns=True)
        self._add_columns()
        rows = dict(self.rows)
        self._list(list(self.listed.values()))
        for summary in rows.values():
            self._fill(summary)
        if table.row_count:
            table.move_cursor(row=min(max(cursor, 0), table.row_count - 1))

    @work(thread=True, exclusive=True, exit_on_error=False, group="portfolio")
    def read_all(self) -> None:
        """List the files, then read each one; every row is posted as soon as it is read."""
        from isms_tui.services import clock
        from isms_tui.services.errors import InputError
        from isms_tui.services.portfolio import candidates, summarise

        worker = get_current_worker()
        try:
            found = candidates(self.folder)
        except InputError as exc:
            self.app.call_from_thread(self._say, str(exc), True)
            found = candidates(None)
        self.app.call_from_thread(self._list, found)
        today = clock.today()
        for c in found:
            summary = summarise(c, today)
            if worker.is_cancelled:  # the screen was left, or f5 started a new reading
                return
            self.app.call_from_thread(self._fill, summary)
        self.app.call_from_thread(self._done)

    def _list(self, found: list[Candidate]) -> None:
        if not self.is_attached:
            return
        table = self.query_one("#portfolio", DataTable)
        table.clear()
        self.rows.clear()
        self.listed = {str(c.path): c for c in found}
        for c in found:
            name = "reading…" if not c.problem else ""
            file_name = _printable(cut(c.path.name))
            blanks = [""] * (len(self.columns) - 2)
            table.add_row(Text(name, style="italic"), file_name, *blanks, key=str(c.path))
        if not found:
            self._say("No workspaces known yet: open one with ctrl+o, or start isms with --dir FOLDER.", False)

    def _fill(self, s: Summary) -> None:
        from isms_tui.services.portfolio import audit_text, opened_text, review_text

        key = str(s.path)
        if not self.is_attached or key not in self.listed:  # left meanwhile, or listed anew
            return
        self.rows[key] = s
        table = self.query_one("#portfolio", DataTable)
        current = self.current is not None and s.path.resolve() == self.current
        if not s.readable:
            cells: list[object] = [cut(_short(s), "bold red"), cut(s.path.name), *["—"] * 5]
        else:
            due = f"{s.readings_due}" + (f" ({s.readings_overdue} overdue)" if s.readings_overdue else "")
            cells = [
                cut(s.organisation or "No organisation named yet", "bold" if s.organisation else "italic"),
                cut(s.path.name),
                str(s.kpis_off_target),
                due,
                audit_text(s),
                str(s.open_nonconformities),
                review_text(s),
            ]
        cells.append(Text("open now", style="bold") if current else opened_text(s.opened_at))
        shown = {c[0] for c in self.columns}
        for column, value in zip((c[0] for c in COLUMNS), cells, strict=True):
            if column in shown:
                table.update_cell(key, column, _printable(value))
        if table.cursor_row >= 0 and self._highlighted() == key:
            self._describe(key)

    def _done(self) -> None:
        if not self.is_attached:
            return
        key = self._highlighted()
        if key is not None:
            self._describe(key)

    def _highlighted(self) -> str | None:
        table = self.query_one("#portfolio", DataTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self._describe(str(event.row_key.value))

    def _describe(self, key: str) -> None:
        s = self.rows.get(key)
        if s is None:
            self._say(f"{key}: reading…", False)
        elif s.problem:
            self._say(s.problem, True)
        else:
            self._say(describe(s, current=self.current), False)

    def _say(self, text: str, problem: bool) -> None:
        if not self.is_attached:
            return
        detail = self.query_one("#portfolio-detail", Static)
        detail.update("\n".join(clean(line) for line in text.split("\n")))
        detail.set_class(problem, "problem")

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """The section keys are not this screen's: switching section from here would leave the
        portfolio behind on that section. Claimed here, they neither run nor show; escape or
        enter leave the portfolio first."""
        return any(
            isinstance(b, Binding) and b.key == key and b.action.startswith("section(") for b in type(self.app).BINDINGS
        )

    def action_open(self) -> None:
        """Open the highlighted workspace (one to upgrade too: opening migrates it, with a backup)."""
        key = self._highlighted()
        if key is None:
            return
        s = self.rows.get(key)
        if s is None:
            self._say(f"{key} is still being read; a moment.", False)
            return
        if s.problem and not s.opens_anyway:
            self._say(s.problem, True)
            return
        path = Path(key).resolve()
        self.dismiss(None if path == self.current else path)

    def action_refresh(self) -> None:
        self._say("Reading the workspaces…", False)
        self.read_all()

    def action_back(self) -> None:
        self.dismiss(None)


def describe(s: Summary, *, current: Path | None = None) -> str:
    """The line under the table: the highlighted workspace's name and file in full (the columns
    cut them), its dates (which a narrow terminal has no columns for) and any warnings."""
    from isms_tui.services.portfolio import audit_text, opened_text, review_text

    opened = "open now" if current is not None and s.path.resolve() == current else f"opened {opened_text(s.opened_at)}"
    dates = f"next audit {audit_text(s)} · next review {review_text(s)} · {opened}"
    warnings = "".join(f" · {w}" for w in s.warnings)
    return f"{s.organisation or 'No organisation named yet'} · {s.path}\n{dates} · enter opens it{warnings}"


def cut(text: str, style: str = "") -> Text:
    """A cell cut with an ellipsis where its column ends (the full text is under the table)."""
    return Text(text, style=style, no_wrap=True, overflow="ellipsis")


def _printable(value: object) -> object:
    """A cell without control or bidi-override characters (a file name in a shared folder, or a
    workspace edited outside isms, could hold them)."""
    if isinstance(value, Text):
        plain = clean(value.plain.replace("\n", " "))
        return value if plain == value.plain else Text(plain, style=value.style, no_wrap=True, overflow="ellipsis")
    return clean(str(value).replace("\n", " "))


def _short(s: Summary) -> str:
    """A few words for the Organisation column; the full sentence is under the table."""
    text = s.problem
    for marker, words in (
        ("no longer there", "gone (moved or deleted)"),
        ("needs upgrade", "needs upgrade: enter migrates it"),
        ("newer version", "made by a newer isms-tui"),
        ("corrupt", "damaged or not a workspace"),
        ("not an isms workspace", "not an isms workspace"),
        ("not a regular file", "not a regular file"),
        ("is a directory", "a folder"),
        ("not followed", "a link out of the folder"),
        ("not set up yet", "not set up yet"),
    ):
        if marker in text:
            return words
    return "cannot be read"
