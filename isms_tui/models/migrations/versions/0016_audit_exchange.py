"""audit exchange: signed kits and results packages issued or imported, and trusted counterpart CAs

Revision ID: 0016_audit_exchange
Revises: 0015_target_history
Create Date: 2026-12-02

Two new tables, empty at first: nothing from older data to journal.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '0016_audit_exchange'
down_revision: Union[str, None] = '0015_target_history'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('exchange_package',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('package_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('counterpart_org', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ca_fingerprint', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=True),
    sa.Column('origin_workspace', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('origin_audit_id', sa.Integer(), nullable=False),
    sa.Column('kit_package_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('manifest', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('package_id')
    )
    with op.batch_alter_table('exchange_package', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_package_audit_id'), ['audit_id'], unique=False)

    op.create_table('exchange_trust',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ca_fingerprint', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ca_pem', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation')
    )


def downgrade() -> None:
    op.drop_table('exchange_trust')
    with op.batch_alter_table('exchange_package', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_package_audit_id'))
    op.drop_table('exchange_package')
