"""The request's unit of work: one database session per request, committed once at the end."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from app.db import Database


def database() -> Database:
    db: Database = current_app.extensions["kc.database"]
    return db


def db_session() -> Session:
    if "db_session" not in g:
        g.db_session = database().session_factory()
    session: Session = g.db_session
    return session


def finish_db_session(*, commit: bool) -> None:
    """Commit (or roll back) the request's work; raises if the commit fails."""
    session: Session | None = g.get("db_session")
    if session is None:
        return
    if commit:
        session.commit()
    else:
        session.rollback()


def close_db_session(_exc: BaseException | None = None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()
