"""``flask --app jco search reindex``: read the text of files held without it, rebuild every entry.

The app keeps the index current by itself; this is for data written around the ORM (the synthetic
generator's bulk copy, hand-written SQL) and for files stored before search existed.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from jco.core import cache
from jco.core.db import get_session
from jco.search import index

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild the search index in one transaction."""
    session = get_session()
    count = index.rebuild(session.connection())
    cache.mark_changed(session)  # the register's name filter reads the index
    session.commit()
    click.echo(f"Search index rebuilt: {count} entries.")
