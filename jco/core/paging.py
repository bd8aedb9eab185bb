"""One page of a long list: how many pages there are, the page asked for kept in range, its rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import Select, func
from sqlmodel import Session, select


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` rows fill; an empty list still has its one (empty) page."""
    return max(ceil(total / per_page), 1)


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    pages: int = field(init=False)

    def __post_init__(self):
        self.pages = page_count(self.total, self.per_page)


def count_rows(session: Session, query: Select) -> int:
    """How many rows ``query`` returns on all pages."""
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def in_range(page: int, total: int, per_page: int) -> int:
    """The page asked for, or the nearest one there is."""
    return min(max(page, 1), page_count(total, per_page))


def window(query: Select, page: int, per_page: int) -> Select:
    """``query`` cut to the rows of page ``page`` (counting from 1)."""
    return query.limit(per_page).offset((page - 1) * per_page)
