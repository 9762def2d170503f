"""nonconformities: every source of a nonconformity in the action register, the settling
period before the effectiveness check, the checker's reason, and reopened actions

Revision ID: 0014_nonconformities
Revises: 0013_competence
Create Date: 2026-12-02
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0014_nonconformities'
down_revision: Union[str, None] = '0013_competence'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_TEXT = ('source_ref', 'description', 'extent', 'isms_change', 'checker_reason')


def upgrade() -> None:
    with op.batch_alter_table('action', schema=None) as batch_op:
        for name in _TEXT:
            batch_op.add_column(sa.Column(name, sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('nonconformity', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('detected_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('settling_days', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('implemented_on', sa.Date(), nullable=True))

    # Actions raised from a nonconformity finding were the nonconformities' actions all along.
    op.execute(
        "UPDATE action SET nonconformity = 1 WHERE source = 'finding' AND source_id IN "
        "(SELECT id FROM finding WHERE grading IN ('MAJOR_NC', 'MINOR_NC'))"
    )

    op.create_table(
        'actionreopen',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('reopened_on', sa.Date(), nullable=False),
        sa.Column('reopened_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('effectiveness_by_id', sa.Integer(), nullable=True),
        sa.Column('effectiveness_on', sa.Date(), nullable=True),
        sa.Column('effectiveness_notes', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('checker_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['action.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['effectiveness_by_id'], ['person.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('actionreopen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actionreopen_action_id'), ['action_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('actionreopen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actionreopen_action_id'))
    op.drop_table('actionreopen')
    with op.batch_alter_table('action', schema=None) as batch_op:
        for name in ('implemented_on', 'settling_days', 'detected_on', 'nonconformity') + _TEXT[::-1]:
            batch_op.drop_column(name)
