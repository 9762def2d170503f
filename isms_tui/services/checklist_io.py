"""Checklist templates to and from CSV and JSON files: validated whole, rejected whole.

Export (built-in or user templates):
- CSV: columns `ref, title, question, evidence_hint`, UTF-8 with a BOM (spreadsheets then detect
  the encoding), every text cell escaped against formula injection exactly like the readings
  export (`csv_io.escape_cell`), so the file opens safely in a spreadsheet and re-imports
  unchanged.
- JSON: `{"name", "description", "questions": [{"ref", "title", "question", "evidence_hint"}]}`,
  UTF-8 without a BOM (RFC 8259), indented, not escaped (JSON is not opened in spreadsheets).

Import:
- The format comes from the extension (.csv, .json) or, failing that, from the content (a file
  whose first character is `{` or `[` is JSON); the caller may force it.
- CSV: a header row with at least `ref`, `title`, `question`, optionally `evidence_hint` (names
  case-insensitive, surrounding spaces ignored); any other column is an error. Cells lose one
  leading apostrophe where the export added one (`csv_io.unescape_cell`).
- JSON: an object with `questions` (a list of objects with `ref`, `title`, `question` and
  optionally `evidence_hint`) and optionally `name` and `description`; any other key, a
  repeated key or a value that is not text is an error.
- The template's name is the explicit `name`, else the JSON `name`, else the file's stem.
- The whole file is checked before anything is written, and every problem is reported:
  "row N: ..." for CSV (N is the file's line number, the header being row 1) and
  "question N (line L): ..." for JSON. Problems: missing, unknown or repeated columns; a wrong
  number of fields; an empty ref, title or question; a field over its limit
  (`checklists.MAX_*`); a ref or title spanning lines; a ref repeated in the file with the
  same question (case-insensitive; a requirement may have several questions, one line each);
  unreadable CSV quoting; malformed JSON (with its line and column); a file that is empty, has
  no questions, is not UTF-8, contains NUL bytes or is larger than 5 MB; a name that is empty,
  too long, a built-in's, or an existing template's unless `replace`.

Refs that are not in the ISO/IEC 27001:2022 catalogue are accepted, not rejected: an audit
checklist may legitimately hold organisation-specific questions (a client's own policy, a
contract clause, another standard). They are kept as written and listed in
`ImportResult.custom_refs` so the front end can mention them. A catalogue ref written in other
letter case (`a.5.1`) takes the catalogue's spelling (`A.5.1`), so audit scopes and the coverage
matrix recognise it.
"""

from __future__ import annotations

import csv
import io
import json
import json.decoder
import json.scanner
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from isms_tui import catalogues
from isms_tui.files import check_target, replace_atomically
from isms_tui.models.sanitize import clean

from . import checklists
from .checklists import Question
from .csv_io import (
    ImportRejected,
    MalformedCsv,
    check_header,
    csv_records,
    escape_cell,
    read_text,
    unescape_cell,
)
from .errors import InputError, NotFound
from .formatting import plural

FORMATS = ("csv", "json")
CSV_COLUMNS = ("ref", "title", "question", "evidence_hint")
REQUIRED = ("ref", "title", "question")
JSON_KEYS = frozenset({"name", "description", "questions"})
EXPECTED_HEADER = "ref, title, question and optionally evidence_hint"
MAX_FILE_BYTES = 5 * 1024 * 1024
BUILTIN_DESCRIPTION = "From the ISO/IEC 27001:2022 requirement catalogue of isms-tui"
MAX_NAME = 200
MAX_DESCRIPTION = 2000
LIMITS = {
    "ref": checklists.MAX_REF,
    "title": checklists.MAX_TITLE,
    "question": checklists.MAX_QUESTION,
    "evidence_hint": checklists.MAX_EVIDENCE_HINT,
}
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    name: str
    count: int
    replaced: bool
    custom_refs: tuple[str, ...] = ()  # refs not in the catalogue, kept as organisation-specific


# --- names ----------------------------------------------------------------------------------


def _normal(name: str) -> str:
    return " ".join(_DASHES.sub("-", name).casefold().split())


def resolve_name(session: Session, name: str) -> str:
    """The template called `name`. Failing an exact match, the one name that matches ignoring
    letter case, spacing and the kind of dash, or else the one name that contains it that way
    (so `clauses 4-10` finds the built-in "… (clauses 4–10)"); an ambiguous name is refused."""
    names = [t.name for t in checklists.list_templates(session)]
    if name in names:
        return name
    wanted = _normal(name)
    for matches in ([n for n in names if _normal(n) == wanted], [n for n in names if wanted and wanted in _normal(n)]):
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            shown = "; ".join(f"'{m}'" for m in matches[:4])
            raise NotFound(f"'{name}' matches several checklists ({shown}); give the full name.")
    raise NotFound(f"No checklist called '{name}'.")


def _name_problem(session: Session, name: str, replace: bool) -> str | None:
    if not name:
        return "The checklist needs a name; give one explicitly."
    if len(name) > MAX_NAME:
        return f"The name has {len(name)} characters; the limit is {MAX_NAME}."
    if "\n" in name or "\r" in name:
        return "The name must be on one line."
    builtin = next((b for b in checklists.BUILTINS if _normal(b) == _normal(name)), None)
    if builtin is not None:
        return f"'{builtin}' is a built-in checklist; choose another name."
    users = {t.name for t in checklists.list_templates(session) if not t.builtin}
    if name in users and not replace:
        return (
            f"There is already a checklist called '{name}'; "
            "import with replace to overwrite it, or choose another name."
        )
    return None


# --- export ---------------------------------------------------------------------------------


def export_text(session: Session, name: str, fmt: str) -> str:
    """The template as CSV or JSON text (without the CSV's BOM)."""
    fmt = _format(fmt)
    name = resolve_name(session, name)
    items = checklists.questions(session, name)
    if fmt == "json":
        info = next(t for t in checklists.list_templates(session) if t.name == name)
        data = {
            "name": name,
            # A built-in's list description ("Built in") would mislead once re-imported as a copy.
            "description": BUILTIN_DESCRIPTION if info.builtin else info.description,
            "questions": [
                {"ref": q.ref, "title": q.title, "question": q.question, "evidence_hint": q.evidence_hint}
                for q in items
            ],
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for q in items:
        writer.writerow(
            [escape_cell(q.ref), escape_cell(q.title), escape_cell(q.question), escape_cell(q.evidence_hint)]
        )
    return buf.getvalue()


def export_bytes(session: Session, name: str, fmt: str) -> bytes:
    """The file's bytes: CSV as UTF-8 with a BOM, JSON as plain UTF-8."""
    fmt = _format(fmt)
    return export_text(session, name, fmt).encode("utf-8-sig" if fmt == "csv" else "utf-8")


def export_template(session: Session, name: str, fmt: str, path: Path | str) -> int:
    """Write the template to `path` atomically (the old file or the new one, never half of
    one); returns the number of questions. A new file is private to its owner; a replaced file
    keeps its permissions, like the readings export."""
    path = Path(path)
    check_target(path)
    data = export_bytes(session, name, fmt)
    with replace_atomically(path) as fh:
        fh.write(data)
    return len(checklists.questions(session, resolve_name(session, name)))


def _format(fmt: str) -> str:
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise InputError(f"Unknown format '{fmt}'; use csv or json.")
    return fmt


# --- import ---------------------------------------------------------------------------------


def detect_format(path: Path, text: str) -> str:
    """csv or json, from the extension, else from the first non-blank character."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    return "json" if text.lstrip()[:1] in ("{", "[") else "csv"


@dataclass
class _Parsed:
    name: str | None = None
    description: str = ""
    questions: list[Question] | None = None
    custom_refs: tuple[str, ...] = ()


class _Checker:
    """Checks questions one at a time, remembering refs to find repeats; keeps the valid ones."""

    def __init__(self) -> None:
        self.known = {ref.casefold(): ref for ref in catalogues.by_ref()}
        self.seen: dict[tuple[str, str], str] = {}  # (casefolded ref, question) -> where first seen
        self.questions: list[Question] = []
        self.custom: dict[str, None] = {}

    def check(self, where: str, fields: dict[str, str]) -> list[str]:
        problems: list[str] = []
        values = {k: fields.get(k, "").strip() for k in CSV_COLUMNS}
        for key in REQUIRED:
            if not values[key]:
                problems.append(f"the {key} is empty")
        for key, limit in LIMITS.items():
            if len(values[key]) > limit:
                problems.append(f"the {key} has {len(values[key])} characters; the limit is {limit}")
        for key in ("ref", "title"):
            if "\n" in values[key] or "\r" in values[key]:
                problems.append(f"the {key} must be on one line")
        ref = self.known.get(values["ref"].casefold(), values["ref"])
        if ref:
            first = self.seen.setdefault((ref.casefold(), " ".join(values["question"].split())), where)
            if first != where:
                problems.append(f"the ref {_quote(ref)} asks the same question in {first}")
        if not problems:
            if ref.casefold() not in self.known:
                self.custom[ref] = None
            self.questions.append(Question(ref, values["title"], values["question"], values["evidence_hint"]))
        return problems


def _parse_csv(text: str, errors: list[str]) -> _Parsed:
    checker = _Checker()
    columns: dict[str, int] | None = None
    try:
        for line, fields in csv_records(text):
            if columns is None:
                header = check_header(fields, REQUIRED, CSV_COLUMNS, EXPECTED_HEADER)
                if isinstance(header, str):
                    errors.append(f"row {line}: {header}")
                    return _Parsed()
                columns = header
                continue
            if len(fields) != len(columns):
                errors.append(f"row {line}: expected {len(columns)} fields, found {len(fields)}")
                continue
            values = {key: unescape_cell(fields[i].strip()) for key, i in columns.items()}
            problems = checker.check(f"row {line}", values)
            if problems:
                errors.append(f"row {line}: " + "; ".join(problems))
    except MalformedCsv as exc:
        errors.append(str(exc))
    if columns is None:
        return _Parsed()
    return _Parsed(questions=checker.questions, custom_refs=tuple(checker.custom))


class _JsonDoc:
    """A JSON decoder that remembers where each object starts and which keys it repeats."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts: dict[int, int] = {}
        self.repeats: dict[int, list[str]] = {}
        self._newlines: list[int] | None = None
        decoder = json.JSONDecoder(object_pairs_hook=self._pairs)
        # parse_object, scan_once, py_make_scanner and JSONObject exist at run time but typeshed leaves them out.
        decoder.parse_object = self._parse_object  # type: ignore[attr-defined]
        # The C scanner ignores parse_object.
        decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
        self.decoder = decoder

    def _pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            keys = [k for k, _ in pairs]
            self.repeats[id(obj)] = sorted({k for k in keys if keys.count(k) > 1})
        return obj

    def _parse_object(self, s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
        obj, end = json.decoder.JSONObject(s_and_end, *args)  # type: ignore[attr-defined]
        self.starts[id(obj)] = s_and_end[1] - 1
        return obj, end

    def decode(self) -> Any:
        return self.decoder.decode(self.text)

    def line_of(self, obj: Any) -> int | None:
        start = self.starts.get(id(obj))
        if start is None:
            return None
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect_right(self._newlines, start) + 1


def _parse_json(text: str, source: Path, errors: list[str]) -> _Parsed:
    doc = _JsonDoc(text)
    try:
        data = doc.decode()
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            f"{source} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}; nothing was imported."
        ) from None
    except RecursionError:
        raise ImportRejected(f"{source} is nested too deeply to be a checklist; nothing was imported.") from None
    except ValueError as exc:  # e.g. an integer literal too long to convert
        raise ImportRejected(f"{source} is not valid JSON ({exc}); nothing was imported.") from None
    shape = 'an object with "questions" and optionally "name" and "description"'
    if not isinstance(data, dict):
        errors.append(f"line 1: the file must hold {shape}")
        return _Parsed()
    problems = []
    if doc.repeats.get(id(data)):
        problems.append("repeated key " + ", ".join(map(_quote, doc.repeats[id(data)])))
    unknown = sorted(set(data) - JSON_KEYS)
    if unknown:
        problems.append("unknown key " + ", ".join(map(_quote, unknown)))
    name, description = data.get("name"), data.get("description")
    if name is not None and not isinstance(name, str):
        problems.append('"name" must be text')
    if description is not None and not isinstance(description, str):
        problems.append('"description" must be text')
    elif description and len(description.strip()) > MAX_DESCRIPTION:
        problems.append(f'"description" has {len(description.strip())} characters; the limit is {MAX_DESCRIPTION}')
    questions = data.get("questions")
    if not isinstance(questions, list):
        problems.append('"questions" must be a list of questions' if "questions" in data else 'missing key "questions"')
    if problems:
        errors.append(f"line {doc.line_of(data) or 1}: the file must hold {shape}: " + "; ".join(problems))
        return _Parsed()
    assert isinstance(questions, list)  # a problem above otherwise
    checker = _Checker()
    for n, raw in enumerate(questions, 1):
        line = doc.line_of(raw)
        where = f"question {n}" + (f" (line {line})" if line else "")
        if not isinstance(raw, dict):
            errors.append(f"{where}: must be an object with ref, title, question and optionally evidence_hint")
            continue
        shape_problems = []
        if doc.repeats.get(id(raw)):
            shape_problems.append("repeated key " + ", ".join(map(_quote, doc.repeats[id(raw)])))
        unknown = sorted(set(raw) - set(CSV_COLUMNS))
        if unknown:
            shape_problems.append("unknown key " + ", ".join(map(_quote, unknown)))
        missing = [k for k in REQUIRED if k not in raw]
        if missing:
            shape_problems.append("missing key " + ", ".join(missing))
        not_text = [
            k
            for k in CSV_COLUMNS
            if k in raw and not isinstance(raw[k], str) and not (k == "evidence_hint" and raw[k] is None)
        ]
        if not_text:
            shape_problems.append(" and ".join(not_text) + " must be text")
        if shape_problems:
            errors.append(f"{where}: " + "; ".join(shape_problems))
            continue
        fields = {k: raw.get(k) or "" for k in CSV_COLUMNS}
        found = checker.check(where, fields)
        if found:
            errors.append(f"{where}: " + "; ".join(found))
    return _Parsed(name, (description or "").strip(), checker.questions, tuple(checker.custom))


def import_template(
    session: Session,
    path: Path | str,
    *,
    name: str | None = None,
    replace: bool = False,
    fmt: str | None = None,
) -> ImportResult:
    """Import the checklist in `path` whole or not at all; raises ImportRejected listing every
    problem. With `replace`, a user template of the same name is overwritten (audits already
    planned from it keep their own copy of the questions)."""
    path = Path(path)
    forced = _format(fmt) if fmt else None
    kind = forced or ("json" if path.suffix.lower() == ".json" else "csv")
    text = read_text(path, max_bytes=MAX_FILE_BYTES, kind=kind.upper())
    fmt = forced or detect_format(path, text)
    if not text.strip():
        raise ImportRejected(
            f"{path} is empty; expected a header row: {EXPECTED_HEADER}."
            if fmt == "csv"
            else f"{path} is empty; expected a JSON object with a list of questions."
        )
    errors: list[str] = []
    parsed = _parse_csv(text, errors) if fmt == "csv" else _parse_json(text, path, errors)
    if parsed.questions is not None and not parsed.questions and not errors:
        raise ImportRejected(f"{path} has no questions; nothing was imported.")
    # clean: the name is echoed and looked up before the flush-time cleaning would reach it
    chosen = clean((name if name is not None else parsed.name if parsed.name is not None else path.stem).strip())
    name_problem = _name_problem(session, chosen, replace)
    if errors:
        n = len(errors)
        if name_problem:
            errors.append(name_problem)
        if fmt == "csv":
            message = f"{plural(n, 'row')} of {path} {'were' if n != 1 else 'was'} rejected; nothing was imported."
        else:
            message = f"{path} has {plural(n, 'problem')}; nothing was imported."
        raise ImportRejected(message, errors)
    if name_problem:
        raise ImportRejected(name_problem)
    assert parsed.questions is not None
    existed = any(t.name == chosen and not t.builtin for t in checklists.list_templates(session))
    description = parsed.description if fmt == "json" else ""
    checklists.save_template(
        session, chosen, parsed.questions, description or f"Imported from {path.name}", replace=replace
    )
    return ImportResult(chosen, len(parsed.questions), existed, parsed.custom_refs)


def _quote(text: str, limit: int = 40) -> str:
    """User text quoted for an error message, shortened so a huge value cannot flood it."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
