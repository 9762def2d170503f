"""Checklist templates to and from CSV/JSON: round trips, every bad input, the CLI, a fuzz test."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from isms_tui.cli import main
from isms_tui.models import ChecklistQuestion, ChecklistTemplate, JournalEntry
from isms_tui.models.db import open_engine
from isms_tui.services import checklist_io, checklists
from isms_tui.services.checklist_io import ImportRejected, export_bytes, export_template, import_template
from isms_tui.services.checklists import BUILTIN_ANNEX_A, BUILTIN_CLAUSES, BUILTIN_FULL, Question
from isms_tui.services.errors import InputError, NotFound

from .db_helpers import workspace_session

HEADER = "ref,title,question,evidence_hint\n"
TRICKY = [
    Question("A.5.1", "Policies", '=HYPERLINK("http://x") is not a policy', "- a bullet"),
    Question("ORG-7", "Client contract, clause 12", "Does the 'vendor' keep logs?\nFor how long?", "@contract"),
    Question("A.8.8", "Vulnerabilities", "+1 finding? naïve café ✓ “quotes”, commas", "'=kept apostrophe"),
    Question("9.2.2", "Programme", "'plain apostrophe stays", ""),
]


def write(tmp_path: Path, text: str | bytes, name: str = "c.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def counts(session: Session) -> tuple[int, int, int]:
    return tuple(
        session.exec(select(func.count()).select_from(m)).one()
        for m in (ChecklistTemplate, ChecklistQuestion, JournalEntry)
    )


def rejected(session: Session, path: Path, **kw) -> ImportRejected:
    before = counts(session)
    with pytest.raises(ImportRejected) as err:
        import_template(session, path, **kw)
    assert counts(session) == before, "a rejected file wrote something"
    return err.value


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("builtin", [BUILTIN_CLAUSES, BUILTIN_ANNEX_A, BUILTIN_FULL])
def test_builtin_round_trip(session, tmp_path, fmt, builtin):
    out = tmp_path / f"x.{fmt}"
    assert export_template(session, builtin, fmt, out) == len(checklists.builtin_questions(builtin))
    result = import_template(session, out, name="Copy")
    assert (result.name, result.replaced, result.custom_refs) == ("Copy", False, ())
    assert checklists.questions(session, "Copy") == checklists.builtin_questions(builtin)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_user_template_round_trip_keeps_awkward_text(session, tmp_path, fmt):
    checklists.save_template(session, "Client X", TRICKY, "Client X's own checklist")
    out = tmp_path / f"x.{fmt}"
    export_template(session, "Client X", fmt, out)
    result = import_template(session, out, name="Client X again")
    assert result.count == 4 and result.custom_refs == ("ORG-7",)
    assert checklists.questions(session, "Client X again") == TRICKY
    again = {t.name: t.description for t in checklists.list_templates(session)}["Client X again"]
    assert again == ("Client X's own checklist" if fmt == "json" else "Imported from x.csv")


def test_json_name_and_description_come_from_the_file(session, tmp_path):
    checklists.save_template(session, "Mine", TRICKY, "described")
    out = tmp_path / "mine.json"
    export_template(session, "Mine", "json", out)
    checklists.delete_template(session, "Mine")
    assert import_template(session, out).name == "Mine"
    assert {t.name: t.description for t in checklists.list_templates(session)}["Mine"] == "described"


def test_csv_export_is_bom_utf8_and_formula_safe(session):
    checklists.save_template(session, "Tricky", TRICKY)
    data = export_bytes(session, "Tricky", "csv")
    assert data.startswith(b"\xef\xbb\xbfref,title,question,evidence_hint\r\n")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    cells = [c for row in rows[1:] for c in row]
    assert not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") for c in cells)
    assert rows[1][2].startswith("'=HYPERLINK") and rows[1][3] == "'- a bullet"
    assert rows[3][3] == "''=kept apostrophe" and rows[4][2] == "'plain apostrophe stays"


def test_json_export_shape(session):
    data = export_bytes(session, BUILTIN_CLAUSES, "json")
    assert not data.startswith(b"\xef\xbb\xbf")
    doc = json.loads(data)
    assert set(doc) == {"name", "description", "questions"}
    assert doc["name"] == BUILTIN_CLAUSES and "Built in" not in doc["description"]
    assert len(doc["questions"]) == 30
    assert set(doc["questions"][0]) == {"ref", "title", "question", "evidence_hint"}


def test_replace_overwrites_a_user_template(session, tmp_path):
    checklists.save_template(session, "c", TRICKY)
    path = write(tmp_path, HEADER + "A.5.15,Access,Who approves access?,tickets\n")
    assert "already a checklist called 'c'" in str(rejected(session, path))
    result = import_template(session, path, replace=True)
    assert (result.name, result.count, result.replaced) == ("c", 1, True)
    assert checklists.questions(session, "c") == [Question("A.5.15", "Access", "Who approves access?", "tickets")]


def test_catalogue_refs_take_the_catalogue_spelling_and_custom_refs_are_kept(session, tmp_path):
    path = write(tmp_path, "Question, REF ,Title\nq1,a.5.1,t1\nq2,CTR-12.3,t2\nq3,9.2.2,t3\nq4,iso9001-7.1,t4\n")
    result = import_template(session, path)
    assert result.custom_refs == ("CTR-12.3", "iso9001-7.1")
    assert [q.ref for q in checklists.questions(session, "c")] == ["A.5.1", "CTR-12.3", "9.2.2", "iso9001-7.1"]
    assert [q.evidence_hint for q in checklists.questions(session, "c")] == [""] * 4


def test_a_requirement_may_ask_several_questions_one_line_each(session, tmp_path):
    path = write(tmp_path, "ref,title,question\nORG-1,Own rule,First?\nORG-1,Own rule,Second?\nA.5.1,t,q\n")
    assert import_template(session, path).count == 3
    assert [(q.ref, q.question) for q in checklists.questions(session, "c")] == [
        ("ORG-1", "First?"),
        ("ORG-1", "Second?"),
        ("A.5.1", "q"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("noext", '  {"questions": [{"ref": "X", "title": "t", "question": "q"}]}', "json"),
        ("noext", "ref,title,question\nX,t,q\n", "csv"),
        ("list.txt", "ref,title,question\nX,t,q\n", "csv"),
    ],
)
def test_format_is_sniffed_without_a_known_extension(session, tmp_path, name, content, fmt):
    path = write(tmp_path, content, name)
    assert checklist_io.detect_format(path, content) == fmt
    assert import_template(session, path).count == 1


def test_names_resolve_exactly_then_loosely(session):
    checklists.save_template(session, "Client X – 2026", TRICKY)
    assert checklist_io.resolve_name(session, BUILTIN_CLAUSES) == BUILTIN_CLAUSES
    assert checklist_io.resolve_name(session, "iso 27001:2022  management system (clauses 4-10)") == BUILTIN_CLAUSES
    assert checklist_io.resolve_name(session, "clauses 4-10") == BUILTIN_CLAUSES
    assert checklist_io.resolve_name(session, "client x - 2026") == "Client X – 2026"
    with pytest.raises(NotFound, match="matches several"):
        checklist_io.resolve_name(session, "annex a")
    with pytest.raises(NotFound, match="No checklist called 'nope'"):
        checklist_io.resolve_name(session, "nope")


# --- bad input: rejected whole, with row numbers -------------------------------------------------

LONG_TITLE = "t" * (checklists.MAX_TITLE + 1)


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        (
            "ref,title\nA.5.1,t\n",
            ["row 1: the header must be ref, title, question and optionally evidence_hint: missing column question"],
        ),
        (
            "ref,title,question,owner,Notes\nA.5.1,t,q,me,\n",
            [
                "row 1: the header must be ref, title, question and optionally evidence_hint: "
                "unknown column 'owner', 'Notes'"
            ],
        ),
        (
            "ref,title,question,Title\nA.5.1,t,q,t\n",
            ["row 1: the header must be ref, title, question and optionally evidence_hint: repeated column title"],
        ),
        (
            "\n\nref,title,question\nA.5.1,,q\n,t,\nA.5.2,t, \n",
            [
                "row 4: the title is empty",
                "row 5: the ref is empty; the question is empty",
                "row 6: the question is empty",
            ],
        ),
        (
            HEADER + "A.5.1,t,q,\nA.5.2,t,q,\na.5.1,t,q,\nORG-1,t,q,\nORG-1 ,t,q,\n",
            [
                "row 4: the ref 'A.5.1' asks the same question in row 2",
                "row 6: the ref 'ORG-1' asks the same question in row 5",
            ],
        ),
        (
            f"ref,title,question\nA.5.1,{LONG_TITLE},q\n{'R' * 41},t,{'q' * 4001}\n",
            [
                f"row 2: the title has {len(LONG_TITLE)} characters; the limit is 300",
                "row 3: the ref has 41 characters; the limit is 40; "
                "the question has 4001 characters; the limit is 4000",
            ],
        ),
        (
            HEADER + "A.5.1,t,q,e," + "x" * 4001 + "\nA.5.2,t,q\nA.5.3,t,q,e\n",
            ["row 2: expected 4 fields, found 5", "row 3: expected 4 fields, found 3"],
        ),
        (
            'ref,title,question\n"A.5.1\nA.5.2",t,q\nA.5.3,"two\nlines",q\n',
            ["row 2: the ref must be on one line", "row 4: the title must be on one line"],
        ),
        (
            'ref,title,question\nA.5.1,t,q\nA.5.2,"t,q\n',
            ["row 3: cannot be read as CSV (unexpected end of data); check its quotes"],
        ),
    ],
    ids=[
        "missing column",
        "unknown columns",
        "repeated column",
        "empty fields",
        "repeated refs",
        "too long",
        "field count",
        "line breaks",
        "bad quotes",
    ],
)
def test_bad_csv_is_rejected_whole_with_row_numbers(session, tmp_path, text, errors):
    path = write(tmp_path, text)
    err = rejected(session, path)
    assert err.row_errors == errors
    n = len(errors)
    rows = f"{n} row{'s' if n > 1 else ''} of {path} {'were' if n > 1 else 'was'}"
    assert str(err) == f"{rows} rejected; nothing was imported."


def test_many_problems_of_one_row_and_a_name_clash_are_reported_together(session, tmp_path):
    checklists.save_template(session, "c", TRICKY)
    err = rejected(session, write(tmp_path, HEADER + ",,,seen\n"))
    assert err.row_errors == [
        "row 2: the ref is empty; the title is empty; the question is empty",
        "There is already a checklist called 'c'; import with replace to overwrite it, or choose another name.",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "{f} is empty; expected a header row: " + checklist_io.EXPECTED_HEADER + "."),
        (b"\xef\xbb\xbf \n\n", "{f} is empty; expected a header row: " + checklist_io.EXPECTED_HEADER + "."),
        (b"ref,title,question\n\n", "{f} has no questions; nothing was imported."),
        (
            "ref,title,question\nA.5.1,Polic\xe9,q\n".encode("latin-1"),
            "{f} is not UTF-8 text (first bad byte on line 2); save it as CSV UTF-8.",
        ),
        (b"ref,title,question\nA.5.1,t\x00,q\n", "{f} contains NUL bytes; it is not a UTF-8 CSV text file."),
    ],
)
def test_unusable_csv_is_one_sentence(session, tmp_path, content, message):
    path = write(tmp_path, content)
    err = rejected(session, path)
    assert str(err) == message.format(f=path)
    assert err.row_errors == []


def test_a_file_over_5_mb_is_refused_unread(session, tmp_path):
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:
        fh.truncate(5 * 1024 * 1024 + 1)
    assert str(rejected(session, path)) == f"{path} is larger than 5 MB; split it into smaller files."


def test_missing_file_and_directory(session, tmp_path):
    assert str(rejected(session, tmp_path / "none.csv")) == f"{tmp_path / 'none.csv'} does not exist."
    assert str(rejected(session, tmp_path)) == f"{tmp_path} is a directory, not a CSV file."


def _q(**kw):
    return {"ref": "A.5.1", "title": "t", "question": "q", **kw}


@pytest.mark.parametrize(
    ("doc", "errors"),
    [
        ([_q()], ['line 1: the file must hold an object with "questions" and optionally "name" and "description"']),
        (
            {"name": "n"},
            [
                'line 1: the file must hold an object with "questions" and optionally "name" and '
                '"description": missing key "questions"'
            ],
        ),
        (
            {"questions": {}, "version": 2, "name": 5},
            [
                'line 1: the file must hold an object with "questions" and optionally "name" and "description": '
                'unknown key \'version\'; "name" must be text; "questions" must be a list of questions'
            ],
        ),
        (
            {
                "questions": [
                    _q(),
                    "A.5.2",
                    _q(ref="a.5.1", owner="me"),
                    {"ref": "X"},
                    _q(ref="Y", title=3, evidence_hint=None),
                    _q(ref="Z", title=" "),
                ]
            },
            [
                "question 2: must be an object with ref, title, question and optionally evidence_hint",
                "question 3 (line 9): unknown key 'owner'",
                "question 4 (line 15): missing key title, question",
                "question 5 (line 18): title must be text",
                "question 6 (line 24): the title is empty",
            ],
        ),
        (
            {"questions": [_q(), _q(ref="A.5.2"), _q(ref=" A.5.1 ")]},
            ["question 3 (line 13): the ref 'A.5.1' asks the same question in question 1 (line 3)"],
        ),
    ],
)
def test_bad_json_is_rejected_whole_with_question_numbers_and_lines(session, tmp_path, doc, errors):
    path = write(tmp_path, json.dumps(doc, indent=2), "c.json")
    err = rejected(session, path)
    assert err.row_errors == errors
    n = len(errors)
    assert str(err) == f"{path} has {n} problem{'s' if n > 1 else ''}; nothing was imported."


def test_json_repeated_keys_are_errors(session, tmp_path):
    text = '{"questions": [\n  {"ref": "A.5.1", "title": "t", "title": "u", "question": "q"}\n], "questions": []}'
    err = rejected(session, write(tmp_path, text, "c.json"))
    assert err.row_errors == [
        'line 1: the file must hold an object with "questions" and optionally "name" '
        "and \"description\": repeated key 'questions'"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"name": "x",\n "questions": [\n  {"ref": "A.5.1" "title": "t"}]}',
            "{f} is not valid JSON: Expecting ',' delimiter at line 3, column 19; nothing was imported.",
        ),
        ('{"questions": []}', "{f} has no questions; nothing was imported."),
        ("", "{f} is empty; expected a JSON object with a list of questions."),
        ("[" * 100000 + "]" * 100000, "{f} is nested too deeply to be a checklist; nothing was imported."),
        (
            '{"questions": [' + "1" * 5000 + "]}",
            "{f} is not valid JSON (Exceeds the limit (4300 digits) for "
            "integer string conversion: value has 5000 digits; use sys.set_int_max_str_digits() to increase the "
            "limit); nothing was imported.",
        ),
    ],
)
def test_unusable_json_is_one_sentence(session, tmp_path, text, message):
    path = write(tmp_path, text, "c.json")
    err = rejected(session, path)
    assert str(err) == message.format(f=path)


@pytest.mark.parametrize(
    ("kw", "file_name", "message"),
    [
        ({}, "clauses.json", f"'{BUILTIN_CLAUSES}' is a built-in checklist; choose another name."),
        ({"name": BUILTIN_FULL.upper()}, "x.csv", f"'{BUILTIN_FULL}' is a built-in checklist; choose another name."),
        ({"name": "  "}, "x.csv", "The checklist needs a name; give one explicitly."),
        ({"name": "n" * 201}, "x.csv", "The name has 201 characters; the limit is 200."),
        (
            {"name": "Existing"},
            "x.csv",
            "There is already a checklist called 'Existing'; import with replace to overwrite it, "
            "or choose another name.",
        ),
        (
            {"name": BUILTIN_ANNEX_A, "replace": True},
            "x.csv",
            f"'{BUILTIN_ANNEX_A}' is a built-in checklist; choose another name.",
        ),
    ],
)
def test_name_problems(session, tmp_path, kw, file_name, message):
    checklists.save_template(session, "Existing", TRICKY)
    path = tmp_path / file_name
    export_template(session, BUILTIN_CLAUSES, path.suffix[1:], path)
    err = rejected(session, path, **kw)
    assert (str(err), err.row_errors) == (message, [])


def test_export_refuses_directories_missing_folders_and_unknown_names(session, tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        export_template(session, BUILTIN_FULL, "csv", tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        export_template(session, BUILTIN_FULL, "csv", tmp_path / "no" / "x.csv")
    with pytest.raises(InputError, match="Unknown format 'xml'"):
        export_template(session, BUILTIN_FULL, "xml", tmp_path / "x.xml")
    with pytest.raises(NotFound):
        export_template(session, "nope", "csv", tmp_path / "x.csv")
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("workspace.db")] == []


def test_export_replaces_a_file_and_keeps_its_mode(session, tmp_path):
    out = write(tmp_path, "old", "x.json")
    out.chmod(0o640)
    export_template(session, BUILTIN_CLAUSES, "json", out)
    assert json.loads(out.read_text())["name"] == BUILTIN_CLAUSES
    assert out.stat().st_mode & 0o777 == 0o640
    new = tmp_path / "new.json"
    export_template(session, BUILTIN_CLAUSES, "json", new)
    assert new.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("workspace.db")) == ["new.json", "x.json"]


# --- property: arbitrary input -------------------------------------------------------------------

_CELLS = ["A.5.1", "a.5.1", "ORG-1", "", " ", "=1+1", "'=x", "x" * 41, "two\nlines", '"', "t", "q" * 4001]


@st.composite
def csv_like(draw: st.DrawFn) -> bytes:
    """Mostly CSV rows, valid or not, sometimes a bad header; sometimes any text or bytes."""
    kind = draw(st.sampled_from(["rows", "rows", "rows", "text", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "text":
        return draw(st.text(max_size=300)).encode("utf-8", "surrogatepass")
    columns = list(draw(st.permutations(["ref", "title", "question"])))
    if draw(st.booleans()):
        columns.append("evidence_hint")
    if draw(st.integers(0, 9)) == 0:
        columns.append(draw(st.sampled_from(["extra", "REF", "question"])))
    if draw(st.integers(0, 9)) == 0:
        columns.remove(draw(st.sampled_from(columns)))
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(draw(st.sampled_from([c, c.upper(), f" {c} "])) for c in columns)
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 2)) == 0:
            row = [draw(st.sampled_from(_CELLS)) for _ in columns]
        else:
            row = [
                draw(st.text(min_size=1, max_size=8))
                if c != "ref"
                else draw(st.sampled_from(["A.5.1", "A.5.2", "9.1", "ORG-1", "ORG-2"]))
                for c in columns
            ]
        if draw(st.integers(0, 9)) == 0:
            row.append("surplus")
        writer.writerow(row)
    return buf.getvalue().encode("utf-8", "surrogatepass")


def _import_or_reject(engine, path: Path, content: bytes) -> None:
    path.write_bytes(content)
    with Session(engine) as s:
        before = counts(s)
        try:
            result = import_template(s, path, name="fuzz")
        except InputError as exc:
            event("rejected")
            assert isinstance(exc, ImportRejected) and str(exc)
            assert counts(s) == before
        else:
            event("imported")
            assert result.count > 0
            assert counts(s)[:2] == (before[0] + 1, before[1] + result.count)
            assert len(checklists.questions(s, "fuzz")) == result.count
        finally:
            s.rollback()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(content=csv_like())
def test_any_csv_input_is_imported_whole_or_rejected_without_writing(engine, tmp_path, content):
    _import_or_reject(engine, tmp_path / "fuzz.csv", content)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    content=st.one_of(
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=6),
            lambda kids: (
                st.lists(kids, max_size=4)
                | st.dictionaries(
                    st.sampled_from(
                        ["name", "description", "questions", "ref", "title", "question", "evidence_hint", "x"]
                    ),
                    kids,
                    max_size=5,
                )
            ),
            max_leaves=20,
        ).map(lambda d: json.dumps(d).encode()),
        st.lists(
            st.fixed_dictionaries(
                {
                    "ref": st.sampled_from(["A.5.1", "a.5.1", "ORG-1", "", 7]),
                    "title": st.text(min_size=1, max_size=5) | st.none(),
                    "question": st.text(min_size=1, max_size=5),
                },
                optional={"evidence_hint": st.text(max_size=5) | st.none(), "x": st.just(1)},
            ),
            max_size=4,
        ).map(lambda qs: json.dumps({"questions": qs}).encode()),
    )
)
def test_any_json_input_is_imported_whole_or_rejected_without_writing(engine, tmp_path, content):
    _import_or_reject(engine, tmp_path / "fuzz.json", content)


# --- command line --------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.db"
    open_engine(path).dispose()
    return path


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def template_count(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM checklisttemplate").fetchone()[0]
    finally:
        con.close()


def test_cli_list_text_and_json(db):
    with workspace_session(db, "t") as s:
        checklists.save_template(s, "Client X", TRICKY, "Client X's own")
    result = run("checklist", "list", "--db", db)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith(BUILTIN_CLAUSES) and "30 questions  built-in" in lines[0]
    assert lines[3].startswith("Client X") and lines[3].endswith("4 questions  user      Client X's own")
    result = run("checklist", "list", "--json", "--db", db)
    assert result.exit_code == 0
    assert json.loads(result.stdout)[-1] == {
        "name": "Client X",
        "builtin": False,
        "questions": 4,
        "description": "Client X's own",
    }


def test_cli_export_to_stdout_equals_the_file(db, tmp_path):
    out = tmp_path / "a.csv"
    result = run("checklist", "export", "annex a controls", "--out", out, "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Exported 93 questions of '{BUILTIN_ANNEX_A}' to {out}.\n"
    result = run("checklist", "export", BUILTIN_ANNEX_A, "--format", "CSV", "--db", db)
    assert result.exit_code == 0
    assert result.stdout_bytes == out.read_bytes()
    result = run("checklist", "export", "clauses 4-10", "--format", "json", "--db", db)
    assert json.loads(result.stdout)["name"] == BUILTIN_CLAUSES


def test_cli_import_then_replace(db, tmp_path):
    path = write(tmp_path, HEADER + "ORG-1,Own,Is it done?,\nA.5.1,Policies,Approved?,\n", "own.csv")
    result = run("checklist", "import", path, "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Imported checklist 'own' with 2 questions from {path}.\n"
    assert result.stderr == (
        "Note: 1 ref is not in the ISO/IEC 27001:2022 catalogue, kept as organisation-specific: ORG-1.\n"
    )
    result = run("checklist", "import", path, "--db", db)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: There is already a checklist called 'own'; import with replace to "
        "overwrite it, or choose another name.\n"
    )
    result = run("checklist", "import", path, "--replace", "--db", db)
    assert result.exit_code == 0
    assert result.stdout.startswith("Replaced checklist 'own' with 2 questions")
    result = run("checklist", "import", path, "--name", "Second", "--db", db)
    assert result.exit_code == 0
    assert template_count(db) == 2


def test_cli_rejected_file_exits_1_with_rows_and_writes_nothing(db, tmp_path):
    path = write(tmp_path, HEADER + "A.5.1,,q,\nA.5.1,t,q,\n")
    result = run("checklist", "import", path, "--db", db)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: 2 rows of {path} were rejected; nothing was imported.",
        "  row 2: the title is empty",
        "  row 3: the ref 'A.5.1' asks the same question in row 2",
    ]
    assert template_count(db) == 0


def test_cli_long_error_lists_are_cut_short(db, tmp_path):
    path = write(tmp_path, "ref,title,question\n" + "A.5.1,,q\n" * 250)
    result = run("checklist", "import", path, "--db", db)
    lines = result.stderr.splitlines()
    assert result.exit_code == 1 and len(lines) == 202 and lines[-1] == "  ... and 50 more"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("checklist", "export", "nope", "--format", "csv"), "Error: No checklist called 'nope'.\n"),
        (
            ("checklist", "export", "annex a", "--format", "csv"),
            f"Error: 'annex a' matches several checklists ('{BUILTIN_ANNEX_A}'; '{BUILTIN_FULL}'); "
            "give the full name.\n",
        ),
        (("checklist", "import", "none.json"), "Error: none.json does not exist.\n"),
        (("checklist", "export", BUILTIN_FULL, "--out", "no/x.csv"), "Error: The folder no does not exist.\n"),
    ],
)
def test_cli_user_errors_exit_1_with_one_sentence(db, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run(*args, "--db", db)
    assert result.exit_code == 1
    assert result.stderr == message
    assert "Traceback" not in result.output


def test_cli_without_a_workspace_exits_1_and_creates_nothing(tmp_path):
    for args in (
        ("list",),
        ("export", BUILTIN_FULL, "--format", "csv"),
        ("import", write(tmp_path, "ref,title,question\nX,t,q\n")),
    ):
        result = run("checklist", *args, "--db", tmp_path / "no.db")
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: No workspace at")
    assert not (tmp_path / "no.db").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("checklist", "export", BUILTIN_FULL),  # no format, no --out to infer it from
        ("checklist", "export", BUILTIN_FULL, "--out", "x.txt"),  # cannot infer from .txt
        ("checklist", "export", BUILTIN_FULL, "--format", "xml"),
        ("checklist", "export"),
        ("checklist", "import"),
        ("checklist", "import", "."),  # a directory
        ("checklist", "import", "x.csv", "--bogus"),
        ("checklist", "bogus"),
    ],
)
def test_cli_usage_errors_exit_2(db, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = run(*args, "--db", db)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.txt").exists()
