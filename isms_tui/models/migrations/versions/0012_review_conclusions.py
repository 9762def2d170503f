"""review conclusions, attendance by person, approval by a person, review and audit intervals

Revision ID: 0012_review_conclusions
Revises: 0011_soa
Create Date: 2026-12-02

The free-text attendee names of earlier reviews become attendance rows: a name that matches a
person of the workspace (ignoring case and surrounding spaces) becomes that person; any other
name becomes a new, inactive person of that name, so the record still says who was there and
the name can be corrected in Settings. The chair is marked as chair and top management, and so
is anyone whose areas include "Top management"; everyone listed attended. An approval's name
is linked to its person where one matches. The new rows are journaled here, as the application
would have journaled them, so `isms journal verify` still finds every row in the journal. An
approved review's frozen snapshot is left exactly as it was (its SHA-256 must still match).
"""
import json
from datetime import UTC, datetime
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from isms_tui.models.journal import GENESIS_HASH, canonical, entry_hash


revision: str = '0012_review_conclusions'
down_revision: Union[str, None] = '0011_soa'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACTOR = 'schema upgrade 0012_review_conclusions'


def upgrade() -> None:
    op.create_table('reviewattendee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('meeting_role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('top_management', sa.Boolean(), nullable=False),
    sa.Column('attendance', sa.Enum('PRESENT', 'APOLOGIES', name='attendance'), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['review_id'], ['managementreview.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('review_id', 'person_id', name='uq_reviewattendee_person')
    )
    with op.batch_alter_table('reviewattendee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewattendee_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reviewattendee_review_id'), ['review_id'], unique=False)

    op.create_table('reviewconclusion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('aspect', sa.Enum('SUITABILITY', 'ADEQUACY', 'EFFECTIVENESS', name='conclusionaspect'), nullable=False),
    sa.Column('verdict', sa.Enum('YES', 'PARTLY', 'NO', name='verdict'), nullable=False),
    sa.Column('rationale', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['managementreview.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('review_id', 'aspect', name='uq_reviewconclusion_aspect')
    )
    with op.batch_alter_table('reviewconclusion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviewconclusion_review_id'), ['review_id'], unique=False)

    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_interval_months', sa.Integer(), nullable=False, server_default='12'))
        batch_op.add_column(sa.Column('audit_interval_months', sa.Integer(), nullable=False, server_default='12'))

    # managementreview is the parent of the review's notes, entries and decisions (ON DELETE
    # CASCADE) and migrations run with foreign keys on: a batch rebuild would drop the table and
    # with it every child row. So its columns are added and dropped in place (SQLite >= 3.35).
    op.add_column('managementreview', sa.Column('approved_by_id', sa.Integer(), nullable=True))
    _move_attendees(op.get_bind())
    op.execute('ALTER TABLE managementreview DROP COLUMN attendees')


def _move_attendees(conn: sa.engine.Connection) -> None:
    """Free-text names to attendance rows (and inactive people for unknown names), journaled."""
    people = {}  # folded name -> (id, areas)
    for pid, name, areas in conn.exec_driver_sql('SELECT id, name, areas FROM person ORDER BY id'):
        people.setdefault(name.strip().casefold(), (pid, json.loads(areas or '[]')))
    changes = []
    reviews = conn.exec_driver_sql(
        'SELECT id, chair_id, attendees, approved_by FROM managementreview ORDER BY id').fetchall()
    for review_id, chair_id, attendees, approved_by in reviews:
        seen = set()
        for raw in json.loads(attendees or '[]'):
            name = str(raw).strip()
            if not name or name.casefold() in seen:
                continue
            seen.add(name.casefold())
            if name.casefold() not in people:
                pid = conn.exec_driver_sql(
                    "INSERT INTO person (name, role, email, areas, active) VALUES (?, '', '', '[]', 0)",
                    (name,)).lastrowid
                people[name.casefold()] = (pid, [])
                changes.append(('person', pid, {'id': pid, 'name': name, 'role': '', 'email': '',
                                                'areas': [], 'active': False}))
            pid, areas = people[name.casefold()]
            chair = pid == chair_id
            top = chair or 'Top management' in areas
            role = 'chair' if chair else ''
            aid = conn.exec_driver_sql(
                'INSERT INTO reviewattendee (review_id, person_id, meeting_role, top_management, attendance) '
                "VALUES (?, ?, ?, ?, 'PRESENT')", (review_id, pid, role, top)).lastrowid
            changes.append(('reviewattendee', aid, {'id': aid, 'review_id': review_id, 'person_id': pid,
                                                    'meeting_role': role, 'top_management': top,
                                                    'attendance': 'present'}))
        approver = people.get((approved_by or '').strip().casefold())
        if approved_by and approver is not None:
            conn.exec_driver_sql('UPDATE managementreview SET approved_by_id = ? WHERE id = ?',
                                 (approver[0], review_id))
    _journal(conn, changes)


def _journal(conn: sa.engine.Connection, changes: list) -> None:
    """Append 'create' entries for the rows this upgrade made, chained as the application does."""
    if not changes:
        return
    last = conn.exec_driver_sql('SELECT hash, at FROM journal ORDER BY id DESC LIMIT 1').fetchone()
    prev = last[0] if last else GENESIS_HASH
    at = datetime.now(UTC).isoformat(timespec='microseconds')
    if last and last[1] > at:  # entry times never run backwards
        at = last[1]
    for entity, entity_id, after in changes:
        text = canonical(after)
        digest = entry_hash(prev, at, ACTOR, entity, entity_id, 'create', None, text)
        conn.exec_driver_sql(
            'INSERT INTO journal (at, actor, entity, entity_id, operation, before, after, prev_hash, hash) '
            "VALUES (?, ?, ?, ?, 'create', NULL, ?, ?, ?)", (at, ACTOR, entity, entity_id, text, prev, digest))
        prev = digest


def downgrade() -> None:
    op.add_column('managementreview', sa.Column('attendees', sa.JSON(), nullable=False, server_default='[]'))
    conn = op.get_bind()
    names = {}
    for review_id, name in conn.exec_driver_sql(
            'SELECT a.review_id, p.name FROM reviewattendee a JOIN person p ON p.id = a.person_id '
            "WHERE a.attendance = 'PRESENT' ORDER BY a.id"):
        names.setdefault(review_id, []).append(name)
    for review_id, listed in names.items():
        conn.exec_driver_sql('UPDATE managementreview SET attendees = ? WHERE id = ?',
                             (json.dumps(listed, ensure_ascii=False), review_id))
    op.execute('ALTER TABLE managementreview DROP COLUMN approved_by_id')  # in place, as above
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('audit_interval_months')
        batch_op.drop_column('review_interval_months')
    with op.batch_alter_table('reviewconclusion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewconclusion_review_id'))
    op.drop_table('reviewconclusion')
    with op.batch_alter_table('reviewattendee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviewattendee_review_id'))
        batch_op.drop_index(batch_op.f('ix_reviewattendee_person_id'))
    op.drop_table('reviewattendee')
