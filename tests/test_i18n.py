"""English and French: how the language is chosen, and catalogs with nothing missing (issue 16)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from jco.accounts.models import Account
from tests.step_helpers import reading

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "jco" / "translations"
LANG_ATTR = re.compile(r'<html lang="(\w+)"')


def _lang(response) -> str:
    return LANG_ATTR.search(response.get_data(as_text=True)).group(1)


def test_anonymous_pages_follow_accept_language(client, demo):
    assert _lang(client.get("/login")) == "en"
    assert _lang(client.get("/login", headers={"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"})) == "fr"
    assert _lang(client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"})) == "en"


def test_the_header_switch_keeps_the_language_for_the_session(client, auth, demo):
    auth.login("de.delegate@example.org")
    page = client.get("/account?lang=fr")
    assert _lang(page) == "fr"
    assert "Langue" in page.get_data(as_text=True)
    assert _lang(client.get("/jcos")) == "fr"  # kept for the session
    assert _lang(client.get("/jcos?lang=en")) == "en"
    assert _lang(client.get("/jcos")) == "en"


def test_an_unknown_language_changes_nothing(client, auth, demo):
    auth.login("de.delegate@example.org")
    assert _lang(client.get("/jcos?lang=xx")) == "en"


def test_an_account_chooses_its_language(app, client, auth, demo):
    auth.login("de.delegate@example.org")
    client.get("/account")
    response = client.post("/account", data={"lang-language": "fr", "lang-submit": "Save"}, follow_redirects=True)
    assert _lang(response) == "fr"
    assert "Votre langue a été enregistrée." in response.get_data(as_text=True)
    with reading(app) as s:
        assert s.scalar(select(Account.language).where(Account.email == "de.delegate@example.org")) == "fr"
    # A new session of the same account reads French too, whatever the browser says.
    auth.logout()
    auth.login("de.delegate@example.org")
    assert _lang(client.get("/jcos", headers={"Accept-Language": "en"})) == "fr"


def test_a_forged_language_is_refused_and_nothing_changes(app, client, auth, demo):
    auth.login("de.delegate@example.org")
    client.get("/account")
    response = client.post("/account", data={"lang-language": "klingon", "lang-submit": "Save"})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    with reading(app) as s:
        assert s.scalar(select(Account.language).where(Account.email == "de.delegate@example.org")) == ""


def _catalog(code: str):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=code)


def test_the_french_catalog_has_no_missing_or_fuzzy_entry():
    catalog = _catalog("fr")
    missing = [m.id for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing, f"{len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_every_string_written_for_translation_is_in_the_catalog(tmp_path):
    """`make translations` has been run: extraction finds nothing the French catalog lacks."""
    pot = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract",
                    "-F", str(TRANSLATIONS / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "-k", "N_",
                    # Babel skips folders starting with "_" unless told which to skip: templates/_macros.
                    "--ignore-dirs", ".* ._", "-o", str(pot), "."], cwd=ROOT, check=True)
    with open(pot, "rb") as handle:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog("fr") if m.id}
    absent = sorted(extracted - known)
    assert not absent, f"{len(absent)} strings not in the French catalog (run `make translations`), e.g. {absent[:5]}"


@pytest.mark.parametrize("code", ["en", "fr"])
def test_catalog_languages_are_offered(code):
    from jco.core.i18n import LANGUAGES, supported

    assert code in LANGUAGES
    assert supported(code.upper() + "-BE") == code


def test_the_french_agenda_export_of_cm_4063_15(client, auth, demo, db):
    """Made in the language asked for, whoever asks; the reader's pages stay in their language."""
    import io

    from docx import Document as Docx

    from jco.meetings.models import Meeting

    october = db.scalar(select(Meeting).where(Meeting.notice_reference == "CM 4063/15"))
    auth.login("de.delegate@example.org")
    response = client.get(f"/meetings/{october.id}/agenda.docx?lang=fr")
    assert response.status_code == 200
    document = Docx(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    for expected in ("Conseil de l'Union européenne", "CONVOCATION ET ORDRE DU JOUR PROVISOIRE", "CM 4063/15",
                     "Origine:\tSecrétariat général du Conseil",
                     "Destinataire:\tGroupe « Coopération douanière » (experts)", "Objet:\tOrdre du jour provisoire",
                     "20 octobre 2015", "Opération : ODC Postbox", "Pour : rapport final pour adoption", "12712/15"):
        assert expected in text, expected
    frame = "\n".join(p.text for p in document.paragraphs[:8])  # titles and references are data, as entered
    for english in ("Council of the European Union", "Subject:", "October", "Brussels", "Experts"):
        assert english not in frame, english
    assert "Operation:" not in text and "For:" not in text
    assert document.core_properties.language == "fr"
    # The reader asked for a French export, not French pages.
    assert _lang(client.get("/jcos")) == "en"
