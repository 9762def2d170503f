"""Alembic environment: runs on the connection handed over by models.db (or a URL for autogenerate)."""

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from isms_tui.models import load_tables

load_tables()  # every table on SQLModel.metadata

config = context.config
target_metadata = SQLModel.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as conn:
            _run_on(conn)
    else:
        _run_on(connection)


def _run_on(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
