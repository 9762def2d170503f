"""isms evaluation: evaluations of the ISMS as a whole (9.1) and how often they are due

Revision ID: 0010_isms_evaluation
Revises: 0009_honest_readings
Create Date: 2026-12-02
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0010_isms_evaluation'
down_revision: Union[str, None] = '0009_honest_readings'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('ismsevaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=True),
    sa.Column('evaluated_on', sa.Date(), nullable=False),
    sa.Column('performance', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('effectiveness', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('basis', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('follow_up', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['evaluator_id'], ['person.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ismsevaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ismsevaluation_evaluated_on'), ['evaluated_on'], unique=False)

    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'evaluation_frequency',
            sa.Enum('WEEKLY', 'MONTHLY', 'QUARTERLY', 'SEMIANNUAL', 'ANNUAL', name='frequency'),
            nullable=False,
            server_default='QUARTERLY',
        ))


def downgrade() -> None:
    with op.batch_alter_table('workspace', schema=None) as batch_op:
        batch_op.drop_column('evaluation_frequency')

    with op.batch_alter_table('ismsevaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ismsevaluation_evaluated_on'))

    op.drop_table('ismsevaluation')
