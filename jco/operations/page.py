"""What the page of one JCO shows every reader, gathered in a fixed number of queries and kept until
the data changes (jco.core.cache).

The operation with its participants and lists, its documents, meetings, history, comment rounds,
deadlines (computed once: the deadlines section and the next step's "by when" read the same list)
and the facts its next step is derived from. What depends on the reader — the steps offered, the
results at the reader's clearance, the next step's wording, the watch button — the view adds per
request, from this and a few queries of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from jco.comments import queries as comment_queries
from jco.core import cache
from jco.deadlines import services as deadline_services
from jco.deadlines.rules import Deadline
from jco.documents.models import Document
from jco.meetings.models import AgendaItem, Meeting
from jco.mypage import steps
from jco.operations import queries
from jco.operations.models import Jco, JcoEvent, Participant


@dataclass(frozen=True)
class JcoPage:
    jco: Jco
    participants: list[Participant]
    families: list[list[Document]]
    agenda_items: list[AgendaItem]
    history: list[tuple[JcoEvent, str | None, Meeting | None, Document | None]]
    rounds: list[comment_queries.RoundRow]
    deadlines: list[Deadline]
    facts: steps.OperationFacts


def jco_page(session: Session, jco_id: int, today: date, settings: deadline_services.Settings,
             version: int | None) -> JcoPage | None:
    """The page's shared part at data version ``version`` (None when there is no such operation):
    computed on the first view after a change, then served from the cache."""
    return cache.cached(session, ("jco_page", jco_id, today, settings),
                        lambda: gather(session, jco_id, today, settings), version=version)


def gather(session: Session, jco_id: int, today: date, settings: deadline_services.Settings) -> JcoPage | None:
    with cache.detached_reads(session) as own:
        jco = queries.load_jco(own, jco_id)
        if jco is None:
            return None
        documents = queries.jco_documents(own, jco_id)
        agenda_items = queries.jco_agenda_items(own, jco_id)
        rounds = comment_queries.rounds_of(own, jco_id, today)
        for row in rounds:  # kept detached: readers' rules read round.jco and round.document (loaded already: no query)
            row.round.jco, row.round.document  # noqa: B018
        return JcoPage(
            jco=jco,
            participants=queries.participants_in_order(jco),
            families=queries.document_families(documents),
            agenda_items=agenda_items,
            history=queries.jco_history(own, jco_id),
            rounds=rounds,
            deadlines=deadline_services.collect(own, today, settings, jco_id=jco_id),
            facts=steps.facts_of(jco_id, documents, [(r.round, r.document) for r in rounds], agenda_items,
                                 steps.requested_meetings(own, [jco_id], today), today),
        )
