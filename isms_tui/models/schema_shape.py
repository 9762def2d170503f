"""The shape of a workspace's schema, and the one the application makes.

A shape is what SQLite says about each object in sqlite_master: for a table its columns
(type, not null, default, primary key) and foreign keys, for an index its table, columns,
uniqueness and whether it is partial, for a view or trigger its definition. Shapes are compared
as SQLite describes them, not as DDL text, so the same schema written by another version of
SQLAlchemy still matches.

The reference is the shape the application's migrations build at the head revision, kept in
schema_shape.json beside this module so that checking a file costs a few PRAGMA reads and no
Alembic import; a test rebuilds it from the migrations and fails when the two differ
(regenerate with `python -m isms_tui.models.schema_shape`). Every workspace reaches the head
through the same migrations, so its shape must equal the reference exactly: a table dropped,
renamed or replaced by a view, a column renamed, added or retyped, or any view, trigger,
table or index the application did not create, is a difference.
"""

from __future__ import annotations

import json
import sqlite3
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE_FILE = Path(__file__).with_name("schema_shape.json")
# SQLite's own bookkeeping: created by SQLite itself (AUTOINCREMENT, ANALYZE), not by anyone's DDL.
INTERNAL = frozenset({"sqlite_sequence", "sqlite_stat1", "sqlite_stat4"})

Shape = dict[str, Any]  # "kind name" -> description, JSON-ready


def shape_of(raw: sqlite3.Connection) -> Shape:
    """The shape of the database behind `raw`, in the JSON form the reference is kept in."""
    shape: Shape = {}
    for kind, name, table, sql in raw.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"):
        if name in INTERNAL:
            continue
        if kind == "table":
            shape[f"{kind} {name}"] = _table(raw, name)
        elif kind == "index":
            shape[f"{kind} {name}"] = _index(raw, name, table, automatic=sql is None)
        else:  # views and triggers: the reference has none, so their presence is the finding
            shape[f"{kind} {name}"] = {"table": table, "sql": " ".join((sql or "").split())}
    normalised: Shape = json.loads(json.dumps(shape, sort_keys=True))
    return normalised


@cache
def reference_shape() -> Shape:
    loaded: Shape = json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))
    return loaded


def build_reference() -> Shape:
    """The shape the application's migrations build, in a database in memory."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    from .db import migrate

    engine = create_engine("sqlite://", poolclass=StaticPool)
    try:
        migrate(engine)
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert isinstance(raw, sqlite3.Connection)
            return shape_of(raw)
    finally:
        engine.dispose()


def schema_differences(raw: sqlite3.Connection) -> list[tuple[str, str]]:
    """(object name, one sentence) for every way the file's schema differs from the reference."""
    found, expected = shape_of(raw), reference_shape()
    out: list[tuple[str, str]] = []
    articles = {"table": "a table", "view": "a view", "trigger": "a trigger", "index": "an index"}
    for key in sorted(found.keys() - expected.keys()):
        kind, name = key.split(" ", 1)
        if f"table {name}" in expected or f"index {name}" in expected:
            continue  # reported below as a replacement
        out.append((name, f"The workspace has {articles.get(kind, kind)} the application did not create: {name}."))
    for key in sorted(expected.keys() - found.keys()):
        kind, name = key.split(" ", 1)
        other = next((k.split(" ", 1)[0] for k in found if k.split(" ", 1)[1] == name), None)
        how = f"is a {other}, not a {kind}" if other else "is missing"
        out.append((name, f"The {kind} {name} {how}."))
    for key in sorted(found.keys() & expected.keys()):
        if found[key] != expected[key]:
            kind, name = key.split(" ", 1)
            out.append((name, f"The {kind} {name} {_difference(found[key], expected[key])}."))
    return out


def foreign_schema_message(path: Path, problems: list[tuple[str, str]]) -> str:
    """The one sentence that refuses to report from a file whose schema is not the application's."""
    first = problems[0][1].rstrip(".")
    first = first[0].lower() + first[1:]
    more = f", and {len(problems) - 1} more" if len(problems) > 1 else ""
    return (
        f"{path} does not have the schema isms makes ({first}{more}); "
        "run `isms journal verify` to see what was changed outside isms."
    )


def _table(raw: sqlite3.Connection, name: str) -> dict[str, Any]:
    columns = {
        r[1]: {"type": " ".join(r[2].upper().split()), "not null": bool(r[3]), "default": r[4], "key": r[5]}
        for r in raw.execute(f'PRAGMA table_xinfo("{_q(name)}")')
    }
    foreign = sorted([r[3], r[2], r[4], r[5], r[6]] for r in raw.execute(f'PRAGMA foreign_key_list("{_q(name)}")'))
    return {"columns": columns, "foreign keys": foreign}


def _index(raw: sqlite3.Connection, name: str, table: str, *, automatic: bool) -> dict[str, Any]:
    listed = {r[1]: r for r in raw.execute(f'PRAGMA index_list("{_q(table)}")')}
    info = listed.get(name)
    return {
        "table": table,
        "columns": [r[2] for r in raw.execute(f'PRAGMA index_info("{_q(name)}")')],
        "unique": bool(info[2]) if info else None,
        "partial": bool(info[4]) if info else None,
        "automatic": automatic,
    }


def _difference(found: dict[str, Any], expected: dict[str, Any]) -> str:
    """One clause saying how a table or index differs from the application's."""
    have, want = found.get("columns"), expected.get("columns")
    if isinstance(have, dict) and isinstance(want, dict):
        if extra := sorted(have.keys() - want.keys()):
            return f"has columns the application did not create ({', '.join(extra)})"
        if missing := sorted(want.keys() - have.keys()):
            return f"lacks the columns {', '.join(missing)}"
        changed = sorted(c for c in have if have[c] != want[c])
        if changed:
            c = changed[0]
            parts = [f"{k} {have[c][k]!r} instead of {want[c][k]!r}" for k in have[c] if have[c][k] != want[c][k]]
            return f"has column {c} changed ({'; '.join(parts)})"
        return "has different foreign keys"
    return "is defined differently"


def _q(name: str) -> str:
    return name.replace('"', '""')


if __name__ == "__main__":  # pragma: no cover - regenerates the reference after a migration
    REFERENCE_FILE.write_text(json.dumps(build_reference(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"Wrote {REFERENCE_FILE}")
