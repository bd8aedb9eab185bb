"""`flask tokens create EMAIL [--name NAME]`: a token for scripts set up from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from jco.core.db import get_session

tokens_cli = AppGroup("tokens", help="Personal API tokens.")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="Command line", show_default=True, help="To recognise the token later.")
def tokens_create(email: str, name: str) -> None:
    """Create an API token for the account EMAIL and print it (the token is the last word)."""
    from jco.accounts.services import find_by_email
    from jco.api.auth import TokenError, create_token

    session = get_session()
    account = find_by_email(session, email)
    if account is None:
        raise click.ClickException(f"There is no account for {email}.")
    if not account.active:
        raise click.ClickException(f"The account {account.email} is disabled: its tokens would not work.")
    try:
        _token, secret = create_token(session, account, name)
    except TokenError as error:
        raise click.ClickException(str(error)) from None
    session.commit()
    click.echo(f"Created the API token “{name}” for {account.email}. It is shown only now; keep it secret:")
    click.echo(secret)
