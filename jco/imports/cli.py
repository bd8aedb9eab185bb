"""``flask --app jco import FILE [--dry-run]`` and ``flask --app jco export FILE``: a register in and
out from the command line. What ``export`` writes, ``import`` reads back into an empty deployment as
the same register."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click
from flask import current_app
from sqlmodel import select

from jco.core.db import get_session
from jco.imports.reading import Limits, UnreadableFile, read_table
from jco.imports.services import CREATE, ERROR, UPDATE, ImportReport, import_table


def format_report(report: ImportReport) -> list[str]:
    """The per-row report as plain lines (the CLI prints them; tests read them)."""
    lines = [f"{report.filename}: {len(report.rows)} rows — {report.summary}"]
    lines += [f"  file: {p.severity}: {p}" for p in report.problems]
    for plan in report.rows:
        target = plan.title or "(no name)"
        if plan.action == ERROR:
            lines.append(f"row {plan.row}  {target}: not imported")
        elif plan.action in (CREATE, UPDATE):
            lines.append(f"row {plan.row}  {target}: {plan.action_label.lower()}")
        else:
            lines.append(f"row {plan.row}  {target}: no change")
        lines += [f"    {change}" for change in plan.changes]
        lines += [f"    note: {note}" for note in plan.notes]
        lines += [f"    {p.severity}: {p.detail}" for p in plan.problems]
    return lines


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be created or updated; change nothing.")
@click.option("--as", "actor_email", default=None, help="Account recorded in the audit log (default: system).")
def import_command(file: Path, dry_run: bool, actor_email: str | None) -> None:
    """Import a register of operations from a CSV or XLSX file (columns of jco/data/public-jcos.csv).

    Rows with errors are left out; all other rows go in together, in one transaction.
    """
    from jco.accounts.models import Account

    session = get_session()
    actor = None
    if actor_email:
        actor = session.scalar(select(Account).where(Account.email == actor_email.strip().lower()))
        if actor is None:
            raise click.BadParameter(f"no account {actor_email}", param_hint="--as")
    content = file.read_bytes()
    try:
        table = read_table(content, file.name, Limits.from_config(current_app.config))
    except UnreadableFile as error:
        raise click.ClickException(f"{file.name}: {error}") from None
    report = import_table(session, table, filename=file.name, sha256=hashlib.sha256(content).hexdigest(),
                          actor=actor, dry_run=dry_run)
    for line in format_report(report):
        click.echo(line)
    if dry_run:
        session.rollback()
        click.echo("Dry run: nothing was changed.")
    else:
        session.commit()
        click.echo(f"Imported: {report.summary}.")
    if report.count(ERROR):
        raise SystemExit(1)


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_command(file: Path) -> None:
    """Write the whole register (every framework) to FILE, as CSV or XLSX by its extension.

    The columns are those of the register's download, which ``flask --app jco import`` reads.
    """
    from jco.operations.exports import REGISTER_COLUMNS, register_rows, table_bytes
    from jco.operations.frameworks import ALL_CHOICE
    from jco.operations.queries import RegisterFilters

    fmt = file.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise click.BadParameter("the file must end in .csv or .xlsx", param_hint="FILE")
    session = get_session()
    rows = list(register_rows(session, RegisterFilters(framework=ALL_CHOICE, sort="name")))
    session.rollback()  # read only
    file.write_bytes(table_bytes(rows, REGISTER_COLUMNS, fmt))
    click.echo(f"{file.name}: {len(rows)} operation{'s' if len(rows) != 1 else ''} written.")
