"""honest readings: void, correct and partial readings; a KPI's allowed range

Revision ID: 0009_honest_readings
Revises: 0008_risks
Create Date: 2026-12-02
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0009_honest_readings'
down_revision: Union[str, None] = '0008_risks'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_value', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('max_value', sa.Float(), nullable=True))

    with op.batch_alter_table('reading', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partial', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('voided_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('voided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('void_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('corrected_from', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('corrected_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('corrected_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('correction_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.drop_constraint('uq_reading_kpi_period', type_='unique')
        batch_op.create_index('uq_reading_live_period', ['kpi_id', 'period_start'], unique=True,
                              sqlite_where=sa.text('voided_at IS NULL'))
        batch_op.create_index('ix_reading_voided', ['kpi_id'], unique=False,
                              sqlite_where=sa.text('voided_at IS NOT NULL'))


def downgrade() -> None:
    with op.batch_alter_table('reading', schema=None) as batch_op:
        batch_op.drop_index('ix_reading_voided')
        batch_op.drop_index('uq_reading_live_period')
        batch_op.create_unique_constraint('uq_reading_kpi_period', ['kpi_id', 'period_start'])
        for column in ('correction_reason', 'corrected_by', 'corrected_at', 'corrected_from',
                       'void_reason', 'voided_by', 'voided_at', 'partial'):
            batch_op.drop_column(column)

    with op.batch_alter_table('kpi', schema=None) as batch_op:
        batch_op.drop_column('max_value')
        batch_op.drop_column('min_value')
