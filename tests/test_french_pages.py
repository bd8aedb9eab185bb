"""Every page, for each role, read in French: no English left in its main text, except what people
typed (titles, names, notes: the data) and references (issue 16).

The check removes from the page's main text every string stored in the database, then looks for
English words that French never uses. A word written in a template or a message without
translation, or a label of the pure core shown without ``|t``, leaves such a word behind.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import String, Text, inspect, select

from jco.core.db import get_session
from jco.models import metadata
from tests.browser.support import DEMO_ACCOUNTS, demo_ids
from tests.browser.test_accessibility import ROLE_ACCOUNTS, pages_of, role_pages

# Common English words that are not French words (nor codes, markings or proper names we show).
# ("page", "report", "due" and "sent" are French words too.)
ENGLISH = frozenset("""
the and of to your with for is are this has been not yet by from which who what when will be all any
each there here see show add edit save remove open closed days meeting meetings operation operations
delegation delegations comments results none back next before after until only must may can should
was were have had it its that they we you our my search account log write upload step steps
owed since received nobody everyone more less than how why where
""".split())

# Not data, and the same in both languages.
KEPT = ("JCO Tracker", "LIMITE", "RESTREINT UE", "CONFIDENTIEL UE", "EU RESTRICTED", "ENFOPOL", "ENFOCUSTOM",
        "OLAF", "Europol", "Frontex")

DEMO_PASSWORD = "jco-demo"


class _MainText(HTMLParser):
    """The text a person reads in <main>, without scripts, styles and hidden template parts."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.skip = 0
        self.skipping: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        # A search hit's snippet quotes the stored text (data), cut and highlighted.
        if tag in ("script", "style", "template") or ("class", "snippet") in attrs:
            self.skip += 1
            self.skipping.append(tag)
        if self.depth:
            for name, value in attrs:
                if name in ("aria-label", "title", "placeholder", "alt") and value:
                    self.parts.append(value)

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        if self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def main_text(html: str) -> str:
    parser = _MainText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _is_text(column) -> bool:
    """String and Text columns, SQLModel's AutoString (a TypeDecorator over String) included."""
    kind = column.type
    return isinstance(kind, (String, Text)) or isinstance(getattr(kind, "impl_instance", None), String)


def stored_strings(app) -> list[str]:
    """Every string the database holds (longest first): what people typed, and what imports brought."""
    values: set[str] = set()
    with app.app_context():
        session = get_session()
        for table in metadata.sorted_tables:
            columns = [c for c in table.columns if _is_text(c)]
            if not columns or table.name in ("web_session",) or not inspect(session.get_bind()).has_table(table.name):
                continue
            for row in session.execute(select(*columns)):
                values.update(" ".join(v.split()) for v in row if isinstance(v, str) and len(v.strip()) > 1)
    return sorted(values, key=len, reverse=True)


def english_left(text: str, data: list[str]) -> list[str]:
    """Each English word left, with the words around it (to find where it comes from)."""
    text = " ".join(text.split())
    folded = text.lower()  # data may be shown capitalised or not; lower() keeps the positions
    for value in [*data, *KEPT]:
        value = value.lower()
        start = folded.find(value)
        while start != -1:
            end = start + len(value)
            # whole words only: a stored "en" must not cut "entrée" in two
            if (start == 0 or not folded[start - 1].isalnum()) and (end == len(folded) or not folded[end].isalnum()):
                blank = " " * len(value)
                folded, text = folded[:start] + blank + folded[end:], text[:start] + blank + text[end:]
            start = folded.find(value, end)
    text = re.sub(r"\b[A-Z]{2,3}\b", " ", text)  # country and body codes (BE is Belgium, not "be")
    text = " ".join(text.split()).lower()
    left = {}
    for match in re.finditer(r"[^\W\d_]+", text):  # whole words, accents included ("présenté" is not "sent")
        word = match.group()
        if word in ENGLISH and word not in left:
            left[word] = f"{word}: …{text[max(match.start() - 40, 0):match.end() + 40]}…"
    return sorted(left.values())


@pytest.mark.parametrize("role", sorted(ROLE_ACCOUNTS))
def test_every_page_of_every_role_reads_in_french(app, client, demo_history, role):
    ids = demo_ids(app)
    data = stored_strings(app)
    client.post("/login?lang=fr", data={"email": DEMO_ACCOUNTS[ROLE_ACCOUNTS[role]], "password": DEMO_PASSWORD})
    paths = ["/", *pages_of(ids), *role_pages(ids, role)]
    leftovers = {}
    for path in dict.fromkeys(paths):
        response = client.get(path + ("&" if "?" in path else "?") + "lang=fr")
        html = response.get_data(as_text=True)
        assert '<html lang="fr">' in html, path
        if left := english_left(main_text(html), data):
            leftovers[path] = left
    assert leftovers == {}
