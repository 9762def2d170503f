"""drop the period_start index of reading (bulk imports paid for it; no query needed it)

Revision ID: 0006_reading_period_index
Revises: 0005_indexes
Create Date: 2026-11-28
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0006_reading_period_index'
down_revision: Union[str, None] = '0005_indexes'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('reading', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reading_period_start'))


def downgrade() -> None:
    with op.batch_alter_table('reading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reading_period_start'), ['period_start'], unique=False)
