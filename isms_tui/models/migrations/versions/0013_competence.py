"""competence: responsibilities as links, competence records, line assessors, audit reporting

Revision ID: 0013_competence
Revises: 0012_review_conclusions
Create Date: 2026-12-02

A person's area names that match an audit area become Responsibility rows; the rows are
journaled here (actor "migration 0013_competence") so that `journal verify` still holds every
table to the chain. Names that match no area stay on the person, shown as not linked.
"""
from datetime import UTC, datetime
import hashlib
import json
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0013_competence'
down_revision: Union[str, None] = '0012_review_conclusions'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

ACTOR = 'migration 0013_competence'


def upgrade() -> None:
    op.create_table('responsibility',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('process', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('refs', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['auditarea.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('responsibility', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responsibility_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_responsibility_person_id'), ['person_id'], unique=False)

    op.create_table('competencerecord',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('obtained_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('competencerecord', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_competencerecord_person_id'), ['person_id'], unique=False)

    op.create_table('auditrecipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('audit_id', 'person_id', name='uq_auditrecipient_person')
    )
    with op.batch_alter_table('auditrecipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auditrecipient_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_auditrecipient_person_id'), ['person_id'], unique=False)

    # SQLite adds a nullable column with its foreign key in place: rebuilding audititem would
    # delete its rows first, and with foreign keys on that empties every finding's item_id.
    op.execute('ALTER TABLE workspace ADD COLUMN isms_manager_id INTEGER REFERENCES person (id) ON DELETE SET NULL')
    op.execute('ALTER TABLE audititem ADD COLUMN assessed_by_id INTEGER REFERENCES person (id) ON DELETE SET NULL')
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reported_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reported_how', sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                      server_default=''))
    _link_named_areas()


def _link_named_areas() -> None:
    """One Responsibility per person and area whose name the person lists (any case), journaled."""
    conn = op.get_bind()
    areas = {name.casefold(): area_id for area_id, name in conn.exec_driver_sql('SELECT id, name FROM auditarea')}
    rows = []
    for person_id, names in conn.exec_driver_sql('SELECT id, areas FROM person ORDER BY id').fetchall():
        linked = set()
        for name in json.loads(names or '[]'):
            area_id = areas.get(str(name).casefold())
            if area_id is not None and area_id not in linked:
                linked.add(area_id)
                rows.append((person_id, area_id))
    if not rows:
        return
    prev = conn.exec_driver_sql('SELECT hash FROM journal ORDER BY id DESC LIMIT 1').scalar() or '0' * 64
    at = datetime.now(UTC).isoformat(timespec='microseconds')
    for person_id, area_id in rows:
        new_id = conn.exec_driver_sql(
            "INSERT INTO responsibility (person_id, area_id, process, refs) VALUES (?, ?, '', '[]')",
            (person_id, area_id),
        ).lastrowid
        after = json.dumps({'area_id': area_id, 'id': new_id, 'person_id': person_id, 'process': '', 'refs': []},
                           sort_keys=True, separators=(',', ':'), ensure_ascii=False)
        parts = [prev, at, ACTOR, 'responsibility', str(new_id), 'create', '', after]
        digest = hashlib.sha256('\n'.join(parts).encode('utf-8')).hexdigest()
        conn.exec_driver_sql(
            'INSERT INTO journal (at, actor, entity, entity_id, operation, before, after, prev_hash, hash) '
            'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            (at, ACTOR, 'responsibility', new_id, 'create', None, after, prev, digest),
        )
        prev = digest


def downgrade() -> None:
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_column('reported_how')
        batch_op.drop_column('reported_on')
    # Rebuilding audititem deletes its rows first, which (foreign keys on) empties the findings'
    # item_id: keep them and put them back.
    conn = op.get_bind()
    links = conn.exec_driver_sql('SELECT id, item_id FROM finding WHERE item_id IS NOT NULL').fetchall()
    with op.batch_alter_table('audititem', schema=None) as batch_op:
        batch_op.drop_column('assessed_by_id')
    for finding_id, item_id in links:
        conn.exec_driver_sql('UPDATE finding SET item_id = ? WHERE id = ?', (item_id, finding_id))
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('isms_manager_id')
    with op.batch_alter_table('auditrecipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auditrecipient_person_id'))
        batch_op.drop_index(batch_op.f('ix_auditrecipient_audit_id'))
    op.drop_table('auditrecipient')
    with op.batch_alter_table('competencerecord', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_competencerecord_person_id'))
    op.drop_table('competencerecord')
    with op.batch_alter_table('responsibility', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responsibility_person_id'))
        batch_op.drop_index(batch_op.f('ix_responsibility_area_id'))
    op.drop_table('responsibility')
