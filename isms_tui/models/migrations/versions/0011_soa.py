"""statement of applicability; the audit programme's planning and reporting requirements

Revision ID: 0011_soa
Revises: 0010_isms_evaluation
Create Date: 2026-12-02
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0011_soa'
down_revision: Union[str, None] = '0010_isms_evaluation'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('soaentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('control', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('applicable', sa.Boolean(), nullable=False),
    sa.Column('justification', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('soaentry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_soaentry_control'), ['control'], unique=True)
    with op.batch_alter_table('auditprogramme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planning', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reporting', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('auditprogramme', schema=None) as batch_op:
        batch_op.drop_column('reporting')
        batch_op.drop_column('planning')
    with op.batch_alter_table('soaentry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_soaentry_control'))
    op.drop_table('soaentry')
