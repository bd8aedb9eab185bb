"""Reading rows of a register file: names, editions, organisations, documents, and the derived rules."""

from datetime import date

import pytest

from jco.documents.models import Marking
from jco.imports.parsing import (
    display_edition,
    display_name,
    edition_key,
    historical_state,
    match_key,
    parse_classification,
    parse_documents,
    parse_period,
    parse_row,
    resolve_organisation,
    split_body,
)
from jco.operations.lifecycle import State


def row(**cells):
    return parse_row(cells, 7, 2026)


@pytest.mark.parametrize("a, b", [("", "1"), ("1", "I"), ("I", ""), ("4", "IV"), ("iv", "IV"), ("bis", "BIS")])
def test_first_and_later_editions_match_however_written(a, b):
    assert edition_key(a) == edition_key(b)
    assert match_key("BALTICA", a) == match_key("Baltica", b)


@pytest.mark.parametrize("a, b", [("", "II"), ("1", "2"), ("IV", "VI"), ("bis", "ter")])
def test_different_editions_do_not_match(a, b):
    assert edition_key(a) != edition_key(b)


@pytest.mark.parametrize("given, stored", [("1", ""), ("", ""), ("I", "I"), ("iv", "IV"), ("2", "II"), ("2015", "2015"),
                                           ("bis", "bis")])
def test_editions_are_stored_as_roman_numerals_and_a_lone_1_as_nothing(given, stored):
    assert display_edition(given) == stored


@pytest.mark.parametrize("given, stored", [("BALTICA", "Baltica"), ("SILVER AXE", "Silver Axe"), ("Postbox", "Postbox"),
                                           ("DEMO Harbour", "DEMO Harbour"), ("ATHENA IV", "Athena IV")])
def test_names_in_capitals_are_written_as_names(given, stored):
    assert display_name(given) == stored


@pytest.mark.parametrize("token, expected", [
    ("PL - Polish Customs Administration", ("PL", "Polish Customs Administration", None)),
    ("DE (German delegation - business case author)", ("DE", "German delegation - business case author", None)),
    ("hu", ("HU", "", None)),
    ("OLAF", ("OLAF", "", None)),
    ("OLAF (on behalf of the European Commission)", ("OLAF", "on behalf of the European Commission", None)),
    ("Europol (EFECC)", ("EUROPOL", "EFECC", None)),
    ("WCO RILO Western Europe", ("WCO", "RILO Western Europe", None)),
    ("European Commission", ("COM", "", None)),
    ("DG TAXUD", ("DG-TAXUD", "", None)),
])
def test_organisations_are_read_from_codes_and_body_names(token, expected):
    assert resolve_organisation(token) == expected


@pytest.mark.parametrize("token", ["XX", "DG HOME-funded project ITOM", "Guardia di Finanza", "QQ - Nowhere"])
def test_unknown_organisations_are_not_guessed(token):
    assert resolve_organisation(token)[0] is None


@pytest.mark.parametrize("code, iso", [("EL", "GR"), ("UK", "GB")])
def test_eu_country_codes_are_read_as_iso_codes_with_a_warning(code, iso):
    found, _, warning = resolve_organisation(code)
    assert found == iso and iso in warning and code in warning


def test_an_unknown_country_code_is_a_clear_error_that_blocks_the_row():
    parsed = row(name="X", participants="FR;XX;DE")
    assert not parsed.valid
    assert [str(p) for p in parsed.problems if p.error] == [
        "row 7: participants: 'XX' is not an ISO 3166 country code"]


@pytest.mark.parametrize("column", ["lead", "co_leads", "agencies"])
def test_an_unknown_lead_or_agency_is_a_body_to_find_never_an_error(column):
    """A border-assistance mission, a customs control team, a UN programme: the row still goes in."""
    parsed = row(name="Janus", **{column: "EUBAM - Moldova office;UNODC-WCO Container Control Programme"})
    assert parsed.valid
    assert [(p.code, p.name, p.agency) for p in parsed.participants] == [
        ("", "EUBAM", "Moldova office"), ("", "UNODC-WCO Container Control Programme", "")]


@pytest.mark.parametrize("token, name, agency", [
    ("EUBAM - Moldova office", "EUBAM", "Moldova office"), ("FIUs (incl. TRACFIN)", "FIUs", "incl. TRACFIN"),
    ("DG HOME-funded project ITOM", "DG HOME-funded project ITOM", ""), ("(odd)", "(odd)", ""),
])
def test_an_unknown_body_is_read_as_name_and_agency(token, name, agency):
    assert split_body(token) == (name, agency)


def test_participants_roles_and_agencies_are_merged_per_organisation():
    parsed = row(name="Warehouse", lead="LT - Lithuanian Customs Service", co_leads="LT - State Tax Inspectorate;OLAF",
                 participants="AT;LT;EL", agencies="OLAF;Europol;Guardia di Finanza")
    specs = {p.code or p.name: (p.role, p.agency) for p in parsed.participants}
    assert specs == {
        "LT": ("lead", "Lithuanian Customs Service, State Tax Inspectorate"),
        "OLAF": ("co_lead", ""),
        "AT": ("participant", ""),
        "GR": ("participant", ""),
        "EUROPOL": ("participant", ""),
        "Guardia di Finanza": ("participant", ""),  # a body the import finds or adds
    }
    assert parsed.other_agencies == []
    assert parsed.valid and {p.column for p in parsed.problems} == {"participants"}


def test_council_documents_with_their_notes():
    documents, problems = parse_documents(
        "14743/1/11 REV 1 (ENFOCUSTOM 109, 9 Dec 2011);6512/1/15 REV 1 + ADD 1 REV 1;12712/15 (business case, German delegation)"
    )
    assert problems == []
    assert [str(d.reference) for d in documents] == [
        "14743/1/11 REV 1", "6512/1/15 REV 1", "6512/1/15 ADD 1 REV 1", "12712/15"]
    assert documents[0].subject_codes == ("ENFOCUSTOM 109",) and documents[0].doc_date == date(2011, 12, 9)
    assert documents[3].description == "business case, German delegation"


def test_a_bad_council_reference_is_an_error():
    parsed = row(name="X", council_docs="13305/15;6512/2/15 REV 1")
    [error] = [p for p in parsed.problems if p.error]
    assert error.column == "council_docs" and "6512/2/15 REV 1" in error.message


@pytest.mark.parametrize("text, expected", [
    ("", None),
    ("PUBLIC", (None, False, None)),
    ("unknown", (None, False, None)),
    ("RESTREINT UE", (Marking.RESTREINT_UE, False, None)),
    ("LIMITE (partially accessible to the public 19.12.2011)", (Marking.LIMITE, True, date(2011, 12, 19))),
])
def test_classification(text, expected):
    found = parse_classification(text)
    assert (found if found is None else (found.marking, found.partially_public, found.made_public_on)) == expected


def test_an_unknown_classification_is_an_error():
    parsed = row(name="X", classification="TOP SECRET")
    assert [p.column for p in parsed.problems if p.error] == ["classification"]


@pytest.mark.parametrize("text, expected", [
    ("7-18 Nov 2011", (date(2011, 11, 7), date(2011, 11, 18))),
    ("28 Nov - 11 Dec 2022", (date(2022, 11, 28), date(2022, 12, 11))),
    ("12-24 Nov 2024", (date(2024, 11, 12), date(2024, 11, 24))),
    ("30 Dec 2022 - 3 January 2023", (date(2022, 12, 30), date(2023, 1, 3))),
    ("June 2015", None),
    ("April 2010 (Europol page dates 1-20 Apr 2010)", None),
    ("spring 2023", None),
    ("31-32 Jan 2020", None),
    ("18-7 Nov 2011", None),
])
def test_only_periods_given_to_the_day_become_dates(text, expected):
    assert parse_period(text) == expected


def test_op_period_in_the_notes_sets_the_operational_phase():
    parsed = row(name="X", year_start="2011", notes="type=EU_JCO | confidence=high | JCO; op_period=7-18 Nov 2011; x")
    assert parsed.operational == (date(2011, 11, 7), date(2011, 11, 18))
    elsewhere = row(name="X", year_start="2012", notes="type=EU_JCO | confidence=high | op_period=7-18 Nov 2011")
    assert elsewhere.operational is None and [p.column for p in elsewhere.problems] == ["notes"]


@pytest.mark.parametrize("cells, kind", [
    ({"participants": "FI;EE;LV;LT;PL;SE"}, "regional"),
    ({"participants": "BE;IT;IE", "notes": "type=EU_JCO | confidence=high | 22 Member States in total"}, "eu_wide"),
    # counts beyond the member states of the year mean third countries took part
    ({"participants": "DK;FR;ES", "notes": "type=EU_JCO | x | 34 countries incl. 26 EU MS (not named)"},
     "third_countries"),
    ({"notes": "type=WCO_OP | x | 93 customs administrations", "year_start": "2015"}, "third_countries"),
    ({"notes": "type=EU_JCO | x | 35 countries = all 27 EU MS + 8 third countries", "year_start": "2023"},
     "third_countries"),
    ({"notes": "type=EU_JCO | x | 8 third countries", "participants": "FR"}, "third_countries"),
    # 28 countries were all member states in 2015, not in 2023
    ({"notes": "type=EU_JCO | x | 28 countries", "year_start": "2015"}, "eu_wide"),
    ({"notes": "type=EU_JCO | x | 28 countries", "year_start": "2023"}, "third_countries"),
    ({"notes": "type=EU_JCO | x | all EU Member States", "year_start": "2015"}, "eu_wide"),
    ({"notes": "type=EU_JCO | x | 6 countries"}, "regional"),
    ({"notes": "type=EU_JCO | x | 24 EU Member States took part (not named)"}, "eu_wide"),
    ({"participants": "BE;CZ;DE;GR;ES;FR;LT;RO;PL;PT;SK;NL"}, "eu_wide"),
    ({"participants": "FR;DZ"}, "third_countries"),
    # the United Kingdom was a member state in 2019, a third country in 2023
    ({"participants": "GB;FR", "year_start": "2019"}, "regional"),
    ({"participants": "GB;FR", "year_start": "2023"}, "third_countries"),
    ({"participants": "HR;FR", "year_start": "2008"}, "third_countries"),
    ({"participants": "EE;FI;LV;LT;PL;SE;DE;DK;NL;BE;FR", "notes": "regional JCO"}, "regional"),
    ({"participants": "FR", "kind": "EU-wide"}, "eu_wide"),
])
def test_kind_rule(cells, kind):
    assert row(name="X", **cells).kind == kind


@pytest.mark.parametrize("start, end, results, expected", [
    (None, None, False, State.PROPOSED),
    (None, None, True, State.CLOSED),  # published results: the operation is over, whenever it ran
    (2015, 2015, True, State.CLOSED),
    (2010, 2011, False, State.DEBRIEFING),
    (2025, 2026, False, State.OPERATIONAL),
    (2026, None, True, State.OPERATIONAL),
    (2027, 2027, False, State.ADOPTED),
])
def test_state_of_a_historical_operation(start, end, results, expected):
    assert historical_state(start, end, results, 2026) is expected


@pytest.mark.parametrize("cells, column", [
    ({"year_start": "20x5"}, "year_start"),
    ({"year_start": "1890"}, "year_start"),
    ({"year_start": "2015", "year_end": "2014"}, "year_end"),
    ({"kind": "galactic"}, "kind"),
    ({"state": "flying"}, "state"),
    ({"name": ""}, "name"),
])
def test_cell_errors_name_their_column(cells, column):
    parsed = row(**{"name": "X", **cells})
    assert column in [p.column for p in parsed.problems if p.error]


def test_spreadsheet_quote_before_a_formula_character_is_dropped():
    parsed = row(name="'=Sneaky", results_summary="'-5 kg")
    assert parsed.name == "=Sneaky" and parsed.public_results == "-5 kg"


@pytest.mark.parametrize("cells, framework, given", [
    ({"notes": "type=WCO_OP | confidence=high | x"}, "WCO_OP", True),
    ({"notes": "type=asem_jco | x"}, "ASEM_JCO", True),
    ({"framework": "FRONTEX_JAD", "notes": "type=FRONTEX_JAD | x"}, "FRONTEX_JAD", True),
    ({"notes": "no type here"}, "EU_JCO", False),
    ({}, "EU_JCO", False),
])
def test_the_framework_is_the_type_code_or_the_framework_column(cells, framework, given):
    parsed = row(name="X", **cells)
    assert parsed.valid and (parsed.framework, parsed.framework_given) == (framework, given)


def test_an_unknown_framework_is_an_error_naming_the_codes():
    parsed = row(name="X", notes="type=PIRATE_OP | x")
    [error] = [p for p in parsed.problems if p.error]
    assert error.column == "notes" and "'PIRATE_OP' is not a framework code" in error.message
    assert "WCO_OP" in error.message and "FRONTEX_JAD" in error.message


def test_the_framework_column_wins_over_the_notes_with_a_warning():
    parsed = row(name="X", framework="INTERPOL_OP", notes="type=WCO_OP | x")
    assert parsed.framework == "INTERPOL_OP"
    assert [p.column for p in parsed.problems if not p.error] == ["framework"]


def test_a_related_operation_ignores_a_state_column():
    assert row(name="X", framework="WCO_OP", state="closed").state is None
