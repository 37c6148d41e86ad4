"""`flask --app app secrets ...`: new encryption keys, and re-encryption under the current one.

Rotation: `secrets generate-key` prints a `kid:key` entry; put it first in ENCRYPTION_KEYS
(keeping the old entries) on every process, run `secrets reencrypt`, then drop the old keys.
Every column named `encrypted_*` holds a `SecretBox` ciphertext; all of them are rewritten,
including ones added later, without listing them here. Nothing secret is ever printed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import Column, CursorResult, Table, select, update

from app.crypto import DecryptionError, SecretBox, new_key_id, new_key_line
from app.db import Database
from app.models.base import Base

COLUMN_PREFIX = "encrypted_"
DEFAULT_BATCH = 200
secrets_cli = AppGroup("secrets", help="Stored secrets: encryption keys and re-encryption.")


@dataclass
class ColumnReport:
    name: str
    reencrypted: int = 0
    current: int = 0
    # Primary keys (never values) of rows no configured key opens.
    unreadable: list[str] = field(default_factory=list)


def secret_columns() -> Iterator[tuple[Table, Column[str]]]:
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if column.name.startswith(COLUMN_PREFIX):
                yield table, column


def reencrypt_column(
    database: Database,
    box: SecretBox,
    table: Table,
    column: Column[str],
    batch_size: int,
    progress: Callable[[ColumnReport], None],
) -> ColumnReport:
    """Rewrite every value of `column` not yet under the current key, one committed batch at
    a time (keyset order by primary key, so each row is visited once)."""
    (pk,) = table.primary_key.columns
    report = ColumnReport(f"{table.name}.{column.name}")
    last = None
    while True:
        query = select(pk, column).where(column.is_not(None)).order_by(pk).limit(batch_size)
        if last is not None:
            query = query.where(pk > last)
        with database.transaction() as db:
            rows = db.execute(query).all()
            for key, ciphertext in rows:
                if box.is_current(ciphertext):
                    report.current += 1
                    continue
                try:
                    fresh = box.reencrypt(ciphertext)
                except DecryptionError:
                    report.unreadable.append(str(key))
                    continue
                # Compare-and-set: a row the service rewrote meanwhile is already current.
                changed = cast(
                    CursorResult[Any],
                    db.execute(
                        update(table)
                        .where(pk == key, column == ciphertext)
                        .values({column.name: fresh})
                    ),
                )
                if changed.rowcount:
                    report.reencrypted += 1
                else:
                    report.current += 1
        if not rows:
            return report
        last = rows[-1][0]
        progress(report)


def _counts(report: ColumnReport) -> str:
    return (
        f"{report.name}: {report.reencrypted} re-encrypted, {report.current} already current, "
        f"{len(report.unreadable)} unreadable"
    )


@secrets_cli.command("generate-key")
@click.option("--kid", default=None, help="Key id (default: a random one).")
def generate_key(kid: str | None) -> None:
    """Print a new `kid:key` entry for ENCRYPTION_KEYS."""
    click.echo(new_key_line(kid or new_key_id()))
    click.echo("put it first in ENCRYPTION_KEYS, keep the old keys until reencrypt", err=True)


@secrets_cli.command("reencrypt")
@click.option("--batch-size", default=DEFAULT_BATCH, type=click.IntRange(1, 10_000))
def reencrypt(batch_size: int) -> None:
    """Re-encrypt every stored secret under the current (first) key; safe to run again."""
    box: SecretBox = current_app.extensions["kc.secret_box"]
    database: Database = current_app.extensions["kc.database"]
    click.echo(f"current key: {box.current_kid}", err=True)
    unreadable = 0
    for table, column in secret_columns():
        report = reencrypt_column(
            database,
            box,
            table,
            column,
            batch_size,
            progress=lambda partial: click.echo(f"  ... {_counts(partial)}", err=True),
        )
        click.echo(_counts(report))
        for key in report.unreadable:
            click.echo(f"  unreadable: {report.name} row {key}", err=True)
        unreadable += len(report.unreadable)
    if unreadable:
        raise click.ClickException(
            f"{unreadable} stored secrets open with no configured key; add the missing key "
            "to ENCRYPTION_KEYS and run again"
        )
