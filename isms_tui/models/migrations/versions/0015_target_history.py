"""target history: every version of a KPI's evaluation definition and the period it applies from

Revision ID: 0015_target_history
Revises: 0014_nonconformities
Create Date: 2026-12-02

Each existing KPI gets one version, its current definition from the period of its start date.
The rows are journaled here, chained like every other entry, so `journal verify` finds them
recorded rather than written outside the application.
"""
from datetime import UTC, date, datetime, timedelta
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

from isms_tui.models.journal import GENESIS_HASH, canonical, entry_hash


revision: str = '0015_target_history'
down_revision: Union[str, None] = '0014_nonconformities'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_ACTOR = 'schema upgrade 0015'
_REASON = 'initial definition'
_MONTHS = {'MONTHLY': 1, 'QUARTERLY': 3, 'SEMIANNUAL': 6, 'ANNUAL': 12}
_DIRECTIONS = {'HIGHER_BETTER': 'higher', 'LOWER_BETTER': 'lower', 'WITHIN_RANGE': 'range'}


def _period_start(day: date, frequency: str) -> date:
    """The first day of the period containing `day` (as services/periods.py reckons it)."""
    if frequency not in _MONTHS:  # WEEKLY: ISO weeks start on Monday
        return day - timedelta(days=day.weekday())
    months = _MONTHS[frequency]
    return date(day.year, (day.month - 1) // months * months + 1, 1)


def upgrade() -> None:
    op.create_table('kpi_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kpi_id', sa.Integer(), nullable=False),
    sa.Column('from_period', sa.Date(), nullable=False),
    sa.Column('direction', sa.Enum('HIGHER_BETTER', 'LOWER_BETTER', 'WITHIN_RANGE', name='direction'), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('warning', sa.Float(), nullable=True),
    sa.Column('target_high', sa.Float(), nullable=True),
    sa.Column('warning_high', sa.Float(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['kpi_id'], ['kpi.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('kpi_target', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_target_kpi', ['kpi_id', 'from_period'], unique=False)
    _backfill(op.get_bind())


def _backfill(conn: sa.engine.Connection) -> None:
    """One version per KPI, journaled in the same transaction as the schema change."""
    now = datetime.now(UTC)
    stored_at = now.replace(tzinfo=None).isoformat(sep=' ', timespec='microseconds')
    at = now.isoformat(timespec='microseconds')
    prev = conn.exec_driver_sql('SELECT hash FROM journal ORDER BY id DESC LIMIT 1').scalar() or GENESIS_HASH
    kpis = conn.exec_driver_sql(
        'SELECT id, started_on, frequency, direction, target, warning, target_high, warning_high '
        'FROM kpi ORDER BY id'
    ).fetchall()
    for new_id, (kpi_id, started_on, frequency, direction, target, warning, high, warning_high) in enumerate(kpis, 1):
        start = _period_start(date.fromisoformat(str(started_on)[:10]), frequency)
        conn.exec_driver_sql(
            'INSERT INTO kpi_target (id, kpi_id, from_period, direction, target, warning, target_high, '
            'warning_high, reason, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            (new_id, kpi_id, start.isoformat(), direction, target, warning, high, warning_high, _REASON, _ACTOR,
             stored_at),
        )
        after = canonical({
            'id': new_id, 'kpi_id': kpi_id, 'from_period': start.isoformat(),
            'direction': _DIRECTIONS.get(direction, direction), 'target': target, 'warning': warning,
            'target_high': high, 'warning_high': warning_high, 'reason': _REASON, 'recorded_by': _ACTOR,
            'recorded_at': at,
        })
        h = entry_hash(prev, at, _ACTOR, 'kpi_target', new_id, 'create', None, after)
        conn.exec_driver_sql(
            'INSERT INTO journal (at, actor, entity, entity_id, operation, before, after, prev_hash, hash) '
            'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            (at, _ACTOR, 'kpi_target', new_id, 'create', None, after, prev, h),
        )
        prev = h


def downgrade() -> None:
    with op.batch_alter_table('kpi_target', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_target_kpi')
    op.drop_table('kpi_target')
