"""The typographic toolkit of the evidence packs, imported as `L` by the pack writers: theme
(fonts, palette, status tones, escaping, paragraph styles), tables, charts, the page canvas with
its contents (pages) and the story and build of the PDF (document). Imported lazily, only when a
pack is built (reportlab is slow to import).
"""

from reportlab.lib.units import mm

from .charts import AMBER_LINE, GREEN_LINE, ChartLine, TrendChart
from .document import PdfMeta, Story, build_pdf
from .pages import Decor
from .tables import data_table, kv_table, text_width, tone_commands
from .theme import (
    BAD,
    GOOD,
    INFO,
    LATE,
    MARGIN_B,
    MARGIN_L,
    MARGIN_R,
    MARGIN_T,
    MUTED,
    NEUTRAL,
    PLANNED,
    RULE,
    SEVERE,
    WARN,
    M,
    P,
    Tone,
    clean,
    esc,
    fonts,
    hash_lines,
    name_lines,
    styles,
    symbol,
    tone_cell,
)

__all__ = [
    "AMBER_LINE",
    "BAD",
    "ChartLine",
    "Decor",
    "GOOD",
    "GREEN_LINE",
    "INFO",
    "LATE",
    "M",
    "MARGIN_B",
    "MARGIN_L",
    "MARGIN_R",
    "MARGIN_T",
    "MUTED",
    "NEUTRAL",
    "P",
    "PLANNED",
    "PdfMeta",
    "RULE",
    "SEVERE",
    "Story",
    "Tone",
    "TrendChart",
    "WARN",
    "build_pdf",
    "clean",
    "data_table",
    "esc",
    "fonts",
    "hash_lines",
    "kv_table",
    "mm",
    "name_lines",
    "styles",
    "symbol",
    "text_width",
    "tone_cell",
    "tone_commands",
]
