"""With CSRF protection on, as in production: every life-cycle and agenda form carries its token."""

import re
from datetime import date

import pytest

from tests.step_helpers import jco_id, load_jco, meeting_id, snapshot, text


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _token(html: str, form_action: str) -> str:
    form = html[html.index(f'action="{form_action}"'):]
    return re.search(r'name="[\w-]*csrf_token" type="hidden" value="([^"]+)"', form).group(1)


def _login(client, email):
    page = text(client.get("/login"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": email, "password": "jco-demo", "csrf_token": token}).status_code == 302


def test_life_cycle_buttons_need_the_token_on_their_form(client, demo, app):
    postbox = jco_id(app, "Postbox")
    _login(client, "de.delegate@example.org")
    before = snapshot(app)
    action = f"/jcos/{postbox}/transitions/withdraw"
    assert client.post(action, data={"withdraw-reason": "No token."}).status_code == 400
    assert snapshot(app) == before
    token = _token(text(client.get(f"/jcos/{postbox}")), action)
    response = client.post(action, data={"withdraw-reason": "With token.", "withdraw-csrf_token": token})
    assert response.status_code == 302 and load_jco(app, postbox).state == "withdrawn"


def test_agenda_forms_carry_the_token(client, demo, app):
    october = meeting_id(app, notice_reference="CM 4063/15")
    _login(client, "secretariat@example.org")
    html = text(client.get(f"/meetings/{october}"))
    before = snapshot(app)
    add = f"/meetings/{october}/items"
    assert client.post(add, data={"title": "No token", "purpose": "information", "jco_id": "0"}).status_code == 400
    assert snapshot(app) == before
    response = client.post(add, data={"title": "With token", "purpose": "information", "jco_id": "0",
                                      "csrf_token": _token(html, add)})
    assert response.status_code == 302
    assert "With token" in text(client.get(f"/meetings/{october}"))


def test_agenda_item_buttons_carry_the_token(client, demo, app):
    december = meeting_id(app, start_date=date(2015, 12, 2))
    _login(client, "secretariat@example.org")
    html = text(client.get(f"/meetings/{december}"))
    action = re.search(r'action="(/meetings/\d+/items/\d+/remove)"', html).group(1)
    assert client.post(action).status_code == 400
    assert client.post(action, data={"csrf_token": _token(html, action)}).status_code == 302
    assert "The agenda is empty." in text(client.get(f"/meetings/{december}"))
