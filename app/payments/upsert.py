"""Get-or-create that stays correct when two transactions race to create the same row."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

Row = TypeVar("Row")


def first_or_insert(db: Session, query: Select[Row], make: Callable[[], Row]) -> Row:
    """The row `query` finds, else a new one from `make`; a unique constraint decides races,
    and the loser reads the winner's row."""
    found = db.scalars(query).first()
    if found is not None:
        return found
    try:
        with db.begin_nested():
            row = make()
            db.add(row)
        return row
    except IntegrityError:
        return db.scalars(query).one()
