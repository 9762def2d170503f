"""Migration 0012: the free-text attendees of earlier reviews become attendance by person.

A name that matches a person (ignoring case and spaces) becomes that person, the chair attends
as top management, any other name becomes an inactive person of that name; the new rows are
journaled, so the upgraded file still verifies, and an approved review's snapshot is untouched.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime

from click.testing import CliRunner
from sqlmodel import select

from isms_tui.cli import main
from isms_tui.models import Attendance, ManagementReview, Person, ReviewAttendee, Workspace
from isms_tui.models.db import open_engine
from isms_tui.models.journal import canonical, entry_hash
from isms_tui.services import workspace

from .db_helpers import downgrade, read, workspace_session

SNAPSHOT = '{"review":{"attendees":["Ann Officer"],"title":"Review 2024"}}'


def _insert_review(con: sqlite3.Connection, values: dict) -> None:
    """A review row as version 0011 wrote it, journaled as that version would have."""
    stored = {**values, "status": values["status"].upper(), "attendees": json.dumps(values["attendees"])}
    if values["approved_at"]:  # stored naive UTC, journaled aware
        stored["approved_at"] = datetime.fromisoformat(values["approved_at"]).strftime("%Y-%m-%d %H:%M:%S.%f")
    columns = ", ".join(stored)
    con.execute(
        f"INSERT INTO managementreview ({columns}) VALUES ({', '.join('?' * len(stored))})", list(stored.values())
    )
    prev = con.execute("SELECT hash FROM journal ORDER BY id DESC LIMIT 1").fetchone()[0]
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    after = canonical(values)
    digest = entry_hash(prev, at, "v9", "managementreview", values["id"], "create", None, after)
    con.execute(
        "INSERT INTO journal (at, actor, entity, entity_id, operation, before, after, prev_hash, hash) "
        "VALUES (?, 'v9', 'managementreview', ?, 'create', NULL, ?, ?, ?)",
        (at, values["id"], after, prev, digest),
    )


def test_named_attendees_become_people_at_the_meeting(tmp_path):
    path = tmp_path / "w.db"
    open_engine(path).dispose()
    with workspace_session(path, "test") as s:
        workspace.save_workspace(s, "Acme", "All")
        bea = workspace.save_person(s, "Bea Boss", areas=["ISMS management"]).id
        ann = workspace.save_person(s, "Ann Officer", areas=["Top management"]).id
    downgrade(path, "0011_soa")
    common = {"period_from": "2025-01-01", "period_to": "2025-12-31", "approved_at": None, "chair_id": bea}
    con = sqlite3.connect(path)
    _insert_review(
        con,
        {
            **common,
            "id": 1,
            "title": "Review 2025",
            "planned_on": "2025-12-01",
            "held_on": "2025-12-02",
            "attendees": [" bea boss", "Carl Consultant", "Ann Officer", "BEA BOSS"],
            "status": "held",
            "approved_by": "",
            "snapshot": None,
            "snapshot_sha256": None,
        },
    )
    _insert_review(
        con,
        {
            **common,
            "id": 2,
            "title": "Review 2024",
            "planned_on": "2024-12-01",
            "held_on": "2024-12-02",
            "attendees": ["Ann Officer"],
            "status": "approved",
            "approved_by": "Ann Officer",
            "approved_at": "2024-12-09T10:00:00+00:00",
            "snapshot": SNAPSHOT,
            "snapshot_sha256": hashlib.sha256(SNAPSHOT.encode()).hexdigest(),
        },
    )
    con.commit()
    con.close()

    open_engine(path).dispose()  # migrates

    def state(s):
        names = {p.id: p for p in s.exec(select(Person))}
        rows = [
            (a.review_id, names[a.person_id].name, a.meeting_role, a.top_management, a.attendance)
            for a in s.exec(select(ReviewAttendee).order_by(ReviewAttendee.id))
        ]
        carl = next(p for p in names.values() if p.name == "Carl Consultant")
        reviews = {r.id: r for r in s.exec(select(ManagementReview))}
        ws = s.exec(select(Workspace)).one()
        return rows, carl.active, reviews, (ws.review_interval_months, ws.audit_interval_months)

    rows, carl_active, reviews, intervals = read(path, state)
    assert rows == [
        (1, "Bea Boss", "chair", True, Attendance.PRESENT),
        (1, "Carl Consultant", "", False, Attendance.PRESENT),
        (1, "Ann Officer", "", True, Attendance.PRESENT),  # her areas include top management
        (2, "Ann Officer", "", True, Attendance.PRESENT),
    ]
    assert carl_active is False  # kept for the record, out of the pickers
    assert reviews[2].snapshot == SNAPSHOT and reviews[2].approved_by_id == ann
    assert reviews[1].approved_by_id is None
    assert intervals == (12, 12)
    result = CliRunner().invoke(main, ["journal", "verify", "--db", str(path)])
    assert result.exit_code == 0, result.output
