"""The register (issue 14): sorted by state in life-cycle order, by any column header (which says
how it is sorted), open operations only — all kept in the address. On both engines."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from jco.operations.lifecycle import State
from jco.operations.models import Jco
from tests.helpers import bearer

ROW = re.compile(r'<th scope="row"><a href="/jcos/(\d+)">')


@pytest.fixture
def reader(client, auth, demo_history, app):
    app.config["JCO_PAGE_SIZE"] = 1000
    auth.login("de.delegate@example.org")
    return client


def _states(db, html: str) -> list[State]:
    by_id = {j.id: State(j.state) for j in db.scalars(select(Jco))}
    return [by_id[int(i)] for i in ROW.findall(html)]


def test_sort_by_state_follows_the_life_cycle(reader, db):
    order = list(State)
    states = _states(db, reader.get("/jcos?sort=state").get_data(as_text=True))
    assert len(set(states)) > 3, "the demo history should span several states"
    assert states == sorted(states, key=order.index)
    assert states != sorted(states)  # not the alphabetical order of the codes
    backwards = _states(db, reader.get("/jcos?sort=-state").get_data(as_text=True))
    assert backwards == sorted(states, key=order.index, reverse=True)


def _header(html: str, label: str) -> str:
    return re.search(rf'<th scope="col"[^>]*><a class="sort-link"[^>]*>{label}<.*?</th>', html, re.S).group(0)


@pytest.mark.parametrize("column, label", [("name", "Operation"), ("year", "Year"), ("kind", "Kind"),
                                           ("state", "State")])
def test_column_headers_sort_and_say_how(reader, db, column, label):
    html = reader.get("/jcos?q=athena&open=1&sort=updated").get_data(as_text=True)
    header = _header(html, label)
    assert "aria-sort" not in header and ", sort ascending" in header
    link = unescape(re.search(r'href="([^"]+)"', header).group(1))
    assert f"sort={column}" in link and "q=athena" in link and "open=1" in link
    ascending = reader.get(link).get_data(as_text=True)
    header = _header(ascending, label)
    assert 'aria-sort="ascending"' in header and ", sort descending" in header
    link = unescape(re.search(r'href="([^"]+)"', header).group(1))
    assert f"sort=-{column}" in link
    assert 'aria-sort="descending"' in _header(reader.get(link).get_data(as_text=True), label)


def test_only_one_header_says_it_sorts(reader):
    html = reader.get("/jcos?sort=-year").get_data(as_text=True)
    assert html.count("aria-sort=") == 1 and 'aria-sort="descending"' in _header(html, "Year")


def test_open_operations_only(reader, db):
    everything = _states(db, reader.get("/jcos").get_data(as_text=True))
    assert any(not s.is_open for s in everything), "the demo history should hold closed operations"
    html = reader.get("/jcos?open=1").get_data(as_text=True)
    only_open = _states(db, html)
    assert only_open and all(s.is_open for s in only_open)
    assert len(only_open) == sum(s.is_open for s in everything)
    assert re.search(r'<input id="f-open" name="open" type="checkbox" value="1" checked>', html)
    assert '<label for="f-open">Open operations only</label>' in html


def test_filters_and_order_stay_in_the_address(client, auth, demo, app):
    app.config["JCO_PAGE_SIZE"] = 1
    auth.login("de.delegate@example.org")
    html = client.get("/jcos?open=1&sort=state&kind=regional").get_data(as_text=True)
    following = unescape(re.search(r'rel="next" href="([^"]+)"', html).group(1))
    assert "open=1" in following and "sort=state" in following and "kind=regional" in following
    export = unescape(re.search(r'href="(/jcos/export\.csv[^"]*)"', html).group(1))
    assert "open=1" in export and "sort=state" in export
    assert 'value="state" selected' in html


def test_the_api_filters_and_sorts_as_the_register_does(reader, db):

    headers = bearer(db, "de.delegate@example.org")
    for query in ("open=1&sort=state", "sort=-state", "q=athena+4", "q=tobacco&open=1&sort=kind"):
        page_ids = [int(i) for i in ROW.findall(reader.get(f"/jcos?{query}").get_data(as_text=True))]
        api_query = query.replace("open=1", "open=true")
        api = reader.get(f"/api/v1/jcos?{api_query}&per_page=100", headers=headers)
        assert api.status_code == 200, api.get_data(as_text=True)
        assert [item["id"] for item in api.json["items"]] == page_ids, query


def test_in_french_leads_are_named_in_french_and_the_export_writes_french_labels(reader):
    """Issue 16: countries by their French names (CLDR), sorted so; kinds and states of an export
    asked for in French in the words the import reads back (jco.imports.vocabulary)."""
    html = unescape(reader.get("/jcos?lang=fr").get_data(as_text=True))
    lead_filter = re.search(r'<select id="f-lead".*?</select>', html, re.S).group(0)
    assert ">Pologne<" in lead_filter and ">Poland<" not in lead_filter
    names = re.findall(r'<option value="[A-Z-]+"[^>]*>([^<]+)<', lead_filter)
    assert names == sorted(names, key=str.casefold)
    english = reader.get("/jcos/export.csv?lang=en&framework=all").get_data(as_text=True)
    french = reader.get("/jcos/export.csv?lang=fr&framework=all").get_data(as_text=True)
    assert ",Regional," in english and ",Régionale," not in english
    assert ",Régionale," in french and ",Clôturée," in french
