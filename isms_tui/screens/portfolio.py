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
from isms_tui.widgets.footer import IsmsFooter
from isms_tui.widgets.tables import RecordTable

if TYPE_CHECKING:
    from isms_tui.services.portfolio import Candidate, Summary

COLUMNS = (
    ("Organisation", 24),
    ("File", 18),
    ("Off target", 10),
    ("Readings due", 14),
    ("Next audit", 20),
    ("Open NCs", 8),
    ("Next review", 18),
    ("Last opened", 16),
)


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

    def compose(self) -> ComposeResult:
        yield Header()
        where = f" and in {self.folder}" if self.folder is not None else ""
        yield Static(f"Portfolio: the workspaces known on this machine{where}", id="portfolio-title", markup=False)
        yield RecordTable(id="portfolio", cursor_type="row", zebra_stripes=True)
        yield Static("Reading the workspaces…", id="portfolio-detail", markup=False)
        yield IsmsFooter()

    def on_mount(self) -> None:
        table = self.query_one("#portfolio", DataTable)
        for title, width in COLUMNS:
            table.add_column(title, width=width, key=title)
        table.focus()
        self.read_all()

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
            file_name = _printable(Text(c.path.name))
            table.add_row(Text(name, style="italic"), file_name, "", "", "", "", "", "", key=str(c.path))
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
            cells: list[object] = [Text(_short(s), style="bold red"), Text(s.path.name), *["—"] * 5]
        else:
            due = f"{s.readings_due}" + (f" ({s.readings_overdue} overdue)" if s.readings_overdue else "")
            cells = [
                Text(s.organisation or "No organisation named yet", style="bold" if s.organisation else "italic"),
                Text(s.path.name),
                str(s.kpis_off_target),
                due,
                audit_text(s),
                str(s.open_nonconformities),
                review_text(s),
            ]
        cells.append(Text("open now", style="bold") if current else opened_text(s.opened_at))
        for column, value in zip((c for c, _ in COLUMNS), cells, strict=True):
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
            warnings = "; ".join(s.warnings)
            self._say(f"{key}\nenter opens it" + (f" · {warnings}" if warnings else ""), False)

    def _say(self, text: str, problem: bool) -> None:
        if not self.is_attached:
            return
        detail = self.query_one("#portfolio-detail", Static)
        detail.update("\n".join(clean(line) for line in text.split("\n")))
        detail.set_class(problem, "problem")

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


def _printable(value: object) -> object:
    """A cell without control or bidi-override characters (a file name in a shared folder, or a
    workspace edited outside isms, could hold them)."""
    if isinstance(value, Text):
        plain = clean(value.plain.replace("\n", " "))
        return value if plain == value.plain else Text(plain, style=value.style)
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
