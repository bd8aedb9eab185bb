"""Reading one row of a register file into facts the tracker understands.

Pure: no database and no Flask, so the rules below are tested in milliseconds and shared by the
dry run, the import, the CLI and the demo loader. The column conventions are those of
``jco/data/public-jcos.csv`` (described in ``jco/data/SOURCES.md``):

- ``lead`` / ``co_leads``: ``CC - agency`` or ``CC (agency)``, several separated by ``;``. ``CC`` is an
  ISO 3166 alpha-2 code or a known body (OLAF, Europol, Frontex, DG TAXUD, DG HOME, WCO, Interpol,
  European Commission).
- ``participants``: ISO 3166 alpha-2 codes separated by ``;``. The EU codes ``EL`` and ``UK`` are read
  as ``GR`` and ``GB`` with a warning.
- ``agencies``: bodies separated by ``;``, each taking part in the operation. A body the register
  does not know ("Guardia di Finanza", in ``lead`` or ``co_leads`` too: "EUBAM", a UN programme)
  becomes a new body, with a warning: never an error that drops the row.
- ``council_docs``: Council references separated by ``;``, each optionally followed by a note in
  brackets: ``14743/1/11 REV 1 (ENFOCUSTOM 109, 9 Dec 2011)`` gives the subject code and the date.
- ``notes``: ``type=<CODE> | confidence=<…> | free text``; ``op_period=`` inside the free text. The
  ``type=`` code is the operation's framework (``jco.operations.frameworks``); a ``framework``
  column (written by the register export) gives it too. Neither: a CCWP JCO (``EU_JCO``).

Rules that derive a fact the file does not state (both documented in the README):

- **kind**: see :func:`derive_kind`: the countries named and every count the notes give
  (countries, administrations, member states, third countries), against the EU's membership in
  the operation's year.
- **state of a historical operation**: see :func:`historical_state`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import pycountry

from jco.core.text import N_, _
from jco.documents.models import Marking
from jco.documents.references import DocumentReference, InvalidReference, parse_citation, parse_subject_code
from jco.imports.vocabulary import kind_choices, read_kind, read_state
from jco.operations.frameworks import DEFAULT_FRAMEWORK, FRAMEWORKS, is_ccwp
from jco.operations.lifecycle import State
from jco.operations.models import JcoKind, Role, operation_title
from jco.operations.reference_data import member_states_on

COLUMNS = (
    "name", "edition", "year_start", "year_end", "lead", "co_leads", "participants", "agencies",
    "target_goods", "transport_modes", "results_summary", "council_docs", "classification",
    "source_urls", "notes",
)
# Written by the register export so that a register moves between deployments: used only when
# the import creates the operation (the tracker's own kind and state are never overwritten).
EXPORT_COLUMNS = ("kind", "state", "framework")
KNOWN_COLUMNS = COLUMNS + EXPORT_COLUMNS

REGIONAL_MAX_MEMBER_STATES = 9
FIRST_YEAR, LAST_YEAR = 1950, 2100

# Lower-cased names a file may use for a body → the body's organisation code.
BODY_ALIASES: dict[str, str] = {
    "olaf": "OLAF",
    "european anti-fraud office": "OLAF",
    "europol": "EUROPOL",
    "frontex": "FRONTEX",
    "dg taxud": "DG-TAXUD",
    "dg-taxud": "DG-TAXUD",
    "dg home": "DG-HOME",
    "dg-home": "DG-HOME",
    "wco": "WCO",
    "world customs organization": "WCO",
    "world customs organisation": "WCO",
    "interpol": "INTERPOL",
    "european commission": "COM",
    "commission": "COM",
    "com": "COM",
    "gsc": "GSC",
    "general secretariat of the council": "GSC",
}
# How the export writes each body, so that an exported file reads back the same.
BODY_LABELS: dict[str, str] = {
    "OLAF": "OLAF", "EUROPOL": "Europol", "FRONTEX": "Frontex", "DG-TAXUD": "DG TAXUD", "DG-HOME": "DG HOME",
    "WCO": "WCO", "INTERPOL": "Interpol", "COM": "European Commission", "GSC": "GSC",
}
# EU codes that are not ISO 3166 codes; sources copied from EU texts use them.
EU_COUNTRY_CODES = {"EL": ("GR", N_("Greece")), "UK": ("GB", N_("the United Kingdom"))}

PUBLIC, UNKNOWN_MARKING = "PUBLIC", "UNKNOWN"
MARKINGS = {
    "LIMITE": Marking.LIMITE,
    "RESTREINT UE": Marking.RESTREINT_UE,
    "EU RESTRICTED": Marking.RESTREINT_UE,
    "RESTREINT UE/EU RESTRICTED": Marking.RESTREINT_UE,
    "CONFIDENTIEL UE": Marking.CONFIDENTIEL_UE,
    "EU CONFIDENTIAL": Marking.CONFIDENTIEL_UE,
    "SECRET UE": Marking.SECRET_UE,
    "EU SECRET": Marking.SECRET_UE,
}

_ROLE_RANK = {Role.LEAD: 0, Role.CO_LEAD: 1, Role.PARTICIPANT: 2, Role.OBSERVER: 3}
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_COUNTRY = re.compile(r"(?P<code>[A-Za-z]{2})(?:\s*-\s*(?P<agency>.+)|\s*\((?P<paren>.+)\))?", re.S)
_MEMBER_STATES = r"(?:EU\s+)?(?:Member\s+States|MS)\b"
_MEMBER_STATE_COUNT = re.compile(rf"\b(\d{{1,3}})\s+{_MEMBER_STATES}", re.I)
_ALL_MEMBER_STATES = re.compile(rf"\ball\s+(?:the\s+)?(?:\d{{1,3}}\s+)?{_MEMBER_STATES}", re.I)
_THIRD_COUNTRY_COUNT = re.compile(r"\b(\d{1,3})\s+(?:non-EU|third)[\s-]+(?:countries|countr(?:y|ies)|states)\b", re.I)
# "35 countries", "93 customs administrations", "19 EU and non-EU countries", "25 participating countries"
_COUNTRY_COUNT = re.compile(
    r"\b(\d{1,3})\s+(?:(?:EU|and|non-EU|participating|national|partner|member|customs)\s+){0,3}"
    r"(?:countries|administrations)\b", re.I)
_NEUTRALISED = re.compile(r"(^|;)( *)'(?=[=+\-@\t\r])")
_OP_PERIOD = re.compile(r"op_period\s*=\s*([^;|]+)", re.I)
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december")
_DAY_MONTH = r"(\d{1,2})\s+([A-Za-z]{3,9})\.?"
_PERIODS = [
    # 7-18 Nov 2011
    re.compile(rf"(\d{{1,2}})\s*[-–]\s*{_DAY_MONTH}\s+(\d{{4}})"),
    # 28 Nov - 11 Dec 2022
    re.compile(rf"{_DAY_MONTH}\s*[-–]\s*{_DAY_MONTH}\s+(\d{{4}})"),
    # 28 Nov 2022 - 11 Jan 2023
    re.compile(rf"{_DAY_MONTH}\s+(\d{{4}})\s*[-–]\s*{_DAY_MONTH}\s+(\d{{4}})"),
]


@dataclass(frozen=True)
class Problem:
    """Something wrong with a cell: an error keeps the row out of the import, a warning does not."""

    column: str
    message: str
    error: bool = True
    row: int | None = None

    @property
    def severity(self) -> str:
        return "error" if self.error else "warning"

    @property
    def severity_label(self) -> str:
        """"Error" or "Warning", in English; the page translates it (``|t``)."""
        return N_("Error") if self.error else N_("Warning")

    @property
    def detail(self) -> str:
        """The problem without its row number, for a report that already shows the row."""
        return _("%(column)s: %(message)s", column=self.column, message=self.message) if self.column else self.message

    def __str__(self) -> str:
        return _("row %(row)s: %(detail)s", row=self.row, detail=self.detail) if self.row is not None else self.detail


@dataclass
class ParticipantSpec:
    code: str  # "" until the import finds (or makes) the body named ``name``
    role: str
    agencies: list[str] = field(default_factory=list)
    # A body the parser does not know, by the name the file gives; the import looks it up in the
    # register and adds it as a new body when it is not there (``new``).
    name: str = ""
    new: bool = False

    @property
    def is_country(self) -> bool:
        return len(self.code) == 2 and not self.name

    @property
    def agency(self) -> str:
        return ", ".join(self.agencies)


@dataclass(frozen=True)
class CitedDocument:
    reference: DocumentReference
    description: str = ""
    subject_codes: tuple[str, ...] = ()
    doc_date: date | None = None


@dataclass(frozen=True)
class Classification:
    """The highest known marking of an operation's Council documents.

    ``marking`` is None when the file says nothing about them: ``unknown`` (not checked) and
    ``PUBLIC`` (only press material is known — which says nothing about the Council documents).
    """

    marking: Marking | None
    partially_public: bool = False
    made_public_on: date | None = None


@dataclass
class ParsedRow:
    row: int
    name: str = ""
    edition: str = ""
    key: tuple[str, str] = ("", "")
    year_start: int | None = None
    year_end: int | None = None
    participants: list[ParticipantSpec] = field(default_factory=list)
    other_agencies: list[str] = field(default_factory=list)
    commodities: list[str] = field(default_factory=list)
    transport_modes: list[str] = field(default_factory=list)
    public_results: str = ""
    documents: list[CitedDocument] = field(default_factory=list)
    classification: Classification | None = None
    sources: list[str] = field(default_factory=list)
    source_notes: str = ""
    operational: tuple[date, date] | None = None
    kind: str = JcoKind.REGIONAL
    kind_given: bool = False
    framework: str = DEFAULT_FRAMEWORK
    framework_given: bool = False
    state: State | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def title(self) -> str:
        return operation_title(self.name, self.edition)

    @property
    def valid(self) -> bool:
        return not any(p.error for p in self.problems)

    def error(self, column: str, message: str) -> None:
        self.problems.append(Problem(column, message, True, self.row))

    def warn(self, column: str, message: str) -> None:
        self.problems.append(Problem(column, message, False, self.row))


# --- small readers ------------------------------------------------------------------------------

def clean(text: object) -> str:
    """A cell as one line of text, without the apostrophes the export puts before a formula's
    start (``jco.operations.exports.neutralise``: at the cell's start and after each ``;``)."""
    if text is None:
        return ""
    return " ".join(_NEUTRALISED.sub(r"\1\2", str(text)).split())


def split_list(text: str) -> list[str]:
    """``a;b; a`` → ``["a", "b"]``: trimmed, blanks and repeats (ignoring case) dropped."""
    items, seen = [], set()
    for part in clean(text).split(";"):
        part = part.strip()
        if part and part.casefold() not in seen:
            seen.add(part.casefold())
            items.append(part)
    return items


def roman_to_int(text: str) -> int | None:
    text = text.upper()
    if not text or any(c not in _ROMAN for c in text):
        return None
    total = 0
    for i, c in enumerate(text):
        value = _ROMAN[c]
        total += -value if i + 1 < len(text) and _ROMAN[text[i + 1]] > value else value
    return total if int_to_roman(total) == text else None


def int_to_roman(number: int) -> str:
    out = []
    for value, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def edition_number(edition: str) -> int | None:
    text = clean(edition).upper()
    if not text:
        return 1
    if text.isdigit():
        return int(text)
    return roman_to_int(text)


def edition_key(edition: str) -> str:
    """``""``, ``1`` and ``I`` are the same (first) edition; ``4`` and ``IV`` are the same too."""
    number = edition_number(edition)
    return str(number) if number is not None else clean(edition).casefold()


def display_edition(edition: str) -> str:
    """How an edition is stored: Roman numerals, and nothing for a lone ``1`` (a single edition)."""
    text = clean(edition)
    if text.isdigit():
        number = int(text)
        return "" if number == 1 else int_to_roman(number) if 0 < number < 400 else text
    if roman_to_int(text) is not None:
        return text.upper()
    return text


def display_name(name: str) -> str:
    """Sources write operation names in capitals (``SILVER AXE``); the register writes them as names."""
    text = clean(name)
    if text and text == text.upper() and any(c.isalpha() for c in text):
        return " ".join(w if roman_to_int(w) or not w.isalpha() else w.capitalize() for w in text.split())
    return text


def match_key(name: str, edition: str) -> tuple[str, str]:
    return clean(name).casefold(), edition_key(edition)


def parse_day(text: str) -> date | None:
    text = clean(text).rstrip(".")
    for fmt in ("%d %b %Y", "%d %B %Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d %b. %Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _month(text: str) -> int | None:
    word = text.lower().rstrip(".")
    for number, full in enumerate(_MONTH_NAMES, start=1):
        if word in (full, full[:3]) or (word == "sept" and number == 9):
            return number
    return None


def parse_period(text: str) -> tuple[date, date] | None:
    """An operational period given to the day (``7-18 Nov 2011``); ``June 2015`` is too vague: None."""
    text = clean(text).split("(")[0].strip()
    try:
        if m := _PERIODS[0].fullmatch(text):
            d1, d2, mon, year = int(m[1]), int(m[2]), _month(m[3]), int(m[4])
            start, end = date(year, mon, d1), date(year, mon, d2)
        elif m := _PERIODS[1].fullmatch(text):
            start, end = date(int(m[5]), _month(m[2]), int(m[1])), date(int(m[5]), _month(m[4]), int(m[3]))
        elif m := _PERIODS[2].fullmatch(text):
            start, end = date(int(m[3]), _month(m[2]), int(m[1])), date(int(m[6]), _month(m[5]), int(m[4]))
        else:
            return None
    except (TypeError, ValueError):  # an unknown month name or an impossible day
        return None
    return (start, end) if start <= end else None


def historical_state(year_start: int | None, year_end: int | None, has_results: bool, this_year: int) -> State:
    """The state to record for an operation known only from a source.

    - no year: *closed* when results were published (an operation with results is over, whenever
      it ran), otherwise nothing can be said and the operation stays *proposed*;
    - operational phase over (its last year is before this year): *closed* when results were
      published — public results come from the final report or after it — otherwise *debriefing*
      (the final report is not on record, so the dashboards show it as outstanding);
    - operational phase running this year: *operational*;
    - operational phase in a later year: *adopted* (a source announcing it means it was agreed).
    """
    if year_start is None and year_end is None:
        return State.CLOSED if has_results else State.PROPOSED
    start = year_start if year_start is not None else year_end
    end = year_end if year_end is not None else year_start
    assert start is not None and end is not None  # one of the two years is known
    if end < this_year:
        return State.CLOSED if has_results else State.DEBRIEFING
    if start <= this_year:
        return State.OPERATIONAL
    return State.ADOPTED


# --- organisations ------------------------------------------------------------------------------

def _body(text: str) -> tuple[str, str] | None:
    """``Europol (EFECC)`` → ("EUROPOL", "EFECC"); ``DG HOME-funded project`` is not DG HOME."""
    lowered = text.casefold()
    for alias in sorted(BODY_ALIASES, key=len, reverse=True):
        if lowered == alias:
            return BODY_ALIASES[alias], ""
        if lowered.startswith(alias) and lowered[len(alias)] in " (":
            rest = text[len(alias):].strip()
            if rest.startswith("(") and rest.endswith(")"):
                rest = rest[1:-1]
            elif rest.startswith("-"):
                rest = rest[1:]
            return BODY_ALIASES[alias], rest.strip()
    return None


def resolve_organisation(token: str) -> tuple[str | None, str, str | None]:
    """(code, agency, warning) for ``PL - Polish Customs Administration``, ``OLAF`` or ``DE (…)``.

    The code is None when the token names neither an ISO 3166 country nor a known body.
    """
    token = clean(token)
    if m := _COUNTRY.fullmatch(token):
        code = m["code"].upper()
        agency = (m["agency"] or m["paren"] or "").strip()
        warning = None
        if code in EU_COUNTRY_CODES:
            iso, country = EU_COUNTRY_CODES[code]
            warning = _("'%(code)s' is the EU code for %(country)s; read as %(iso)s (ISO 3166)", code=code,
                        country=_(country), iso=iso)
            code = iso
        if pycountry.countries.get(alpha_2=code) is not None:
            return code, agency, warning
        if _body(token) is None:
            return None, agency, None
    body = _body(token)
    if body:
        return body[0], body[1], None
    return None, "", None


# --- one row ------------------------------------------------------------------------------------

def _year(row: ParsedRow, raw: dict, column: str) -> int | None:
    text = clean(raw.get(column))
    if not text:
        return None
    if text.endswith(".0") and text[:-2].isdigit():  # a year read from a spreadsheet number
        text = text[:-2]
    if not text.isdigit():
        row.error(column, _("'%(value)s' is not a year (write it like 2015)", value=text))
        return None
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        row.error(column, _("%(year)s is not a plausible year (between %(first)s and %(last)s)", year=year,
                            first=FIRST_YEAR, last=LAST_YEAR))
        return None
    return year


def split_body(token: str) -> tuple[str, str]:
    """An unknown body as the file writes it → (name, agency): ``EUBAM - Moldova office`` or
    ``FIUs (incl. TRACFIN)``; the export writes bodies the same way, so they read back."""
    token = clean(token)
    name, sep, agency = token.partition(" - ")
    if not sep and token.endswith(")") and "(" in token[1:]:
        name, __, agency = token[:-1].partition("(")
    return name.strip(), agency.strip()


def _participants(row: ParsedRow, raw: dict) -> None:
    found: dict[str, ParticipantSpec] = {}

    def add(code: str, role: str, agency: str, name: str = "") -> None:
        key = code or "body:" + name.casefold()
        spec = found.get(key)
        if spec is None:
            found[key] = spec = ParticipantSpec(code, role, name=name)
        elif _ROLE_RANK[Role(role)] < _ROLE_RANK[Role(spec.role)]:
            spec.role = role
        if agency and agency.casefold() not in {a.casefold() for a in spec.agencies}:
            spec.agencies.append(agency)

    def add_unknown(column: str, token: str, role: str) -> None:
        name, agency = split_body(token)
        if len(name) > 120:
            row.warn(column, _("'%(name)s…' is longer than 120 characters: its name is cut there", name=name[:40]))
            name = name[:120].strip()
        if len(agency) > 200:
            row.error(column, _("the agency of %(name)s is longer than 200 characters", name=name))
            return
        add("", role, agency, name)

    for column, role in (("lead", Role.LEAD), ("co_leads", Role.CO_LEAD), ("participants", Role.PARTICIPANT)):
        for token in split_list(raw.get(column)):
            code, agency, warning = resolve_organisation(token)
            if code is None:
                if column == "participants":
                    row.error(column, _("'%(token)s' is not an ISO 3166 country code", token=token))
                else:
                    add_unknown(column, token, role)
                continue
            if warning:
                row.warn(column, warning)
            if len(agency) > 200:
                row.error(column, _("the agency of %(name)s is longer than 200 characters", name=code))
                continue
            add(code, role, agency)
    for token in split_list(raw.get("agencies")):
        body = _body(token)
        if body is None:
            add_unknown("agencies", token, Role.PARTICIPANT)
        else:
            add(body[0], Role.PARTICIPANT, body[1])
    row.participants = list(found.values())
    for spec in row.participants:
        if len(spec.agency) > 200:
            row.error("lead", _("the agencies of %(name)s together are longer than 200 characters",
                                name=spec.code or spec.name))


def _vocabulary(row: ParsedRow, raw: dict, column: str, max_length: int) -> list[str]:
    items = []
    for item in split_list(raw.get(column)):
        if len(item) > max_length:
            row.error(column, _("'%(item)s…' is longer than %(num)d characters", item=item[:40], num=max_length))
        else:
            items.append(item)
    return items


def parse_classification(text: str) -> Classification | None:
    """``LIMITE (partially accessible to the public 19.12.2011)`` → LIMITE, partially public on that day.

    Raises ValueError for a marking this system does not know.
    """
    text = clean(text)
    if not text:
        return None
    head, __, tail = text.partition("(")
    head = head.strip().upper()
    if head in (UNKNOWN_MARKING, PUBLIC):
        return Classification(None)
    if head not in MARKINGS:
        raise ValueError(_("'%(value)s' is not one of PUBLIC, LIMITE, RESTREINT UE, CONFIDENTIEL UE, SECRET UE "
                           "or unknown", value=text))
    tail = tail.rstrip(")").strip()
    partially = "public" in tail.lower() and "partial" in tail.lower()
    made_public_on = None
    if partially:
        made_public_on = next((d for d in (parse_day(w) for w in tail.split()) if d), None)
    return Classification(MARKINGS[head], partially, made_public_on)


def parse_documents(text: str) -> tuple[list[CitedDocument], list[str]]:
    """Council references with their bracketed notes; returns (documents, problems)."""
    documents: list[CitedDocument] = []
    problems: list[str] = []
    for item in split_list(text):
        reference_text, __, note = item.partition("(")
        note = note.rsplit(")", 1)[0].strip()
        try:
            citation = parse_citation(reference_text.strip())
        except InvalidReference as error:
            problems.append(_("'%(value)s' is not a Council reference: %(problem)s", value=reference_text.strip(),
                              problem=error.problem))
            continue
        codes, words, day = [], [], None
        for part in (p.strip() for p in note.split(",")) if note else ():
            if re.fullmatch(r"[A-Z]{2,}\s+\d+", part):
                series, number = parse_subject_code(part)
                codes.append(f"{series} {number}")
            elif day is None and (parsed := parse_day(part)):
                day = parsed
            elif part:
                words.append(part)
        description = ", ".join(words)
        for reference in citation:
            if all(d.reference != reference for d in documents):
                documents.append(CitedDocument(reference, description, tuple(codes), day))
    return documents, problems


def _notes(text: str) -> dict:
    """``type=EU_JCO | confidence=high | free text`` → its parts (any part may be missing)."""
    parts = [p.strip() for p in clean(text).split("|")]
    info = {"type": "", "confidence": "", "free": ""}
    free: list[str] = []
    for part in parts:
        key, sep, value = part.partition("=")
        if sep and key.strip().lower() in ("type", "confidence") and not free:
            info[key.strip().lower()] = value.strip()
        elif part:
            free.append(part)
    info["free"] = " | ".join(free)
    return info


@dataclass(frozen=True)
class Counts:
    """What the notes say about how many took part (None: not said)."""

    member_states: int | None = None
    third_countries: int | None = None
    countries: int | None = None  # countries or administrations in all
    all_member_states: bool = False


def stated_counts(notes: str) -> Counts:
    """``35 countries = all 27 EU MS + 8 third countries`` → 27 member states, 8 third countries, 35 in all."""
    def most(pattern: re.Pattern) -> int | None:
        return max((int(n) for n in pattern.findall(notes)), default=None)

    return Counts(most(_MEMBER_STATE_COUNT), most(_THIRD_COUNTRY_COUNT), most(_COUNTRY_COUNT),
                  bool(_ALL_MEMBER_STATES.search(notes)))


def derive_kind(participants: Iterable[ParticipantSpec], on: date, notes: str) -> str:
    """The kind of an operation from the countries a file names and every count its notes give.

    Against the EU's membership on ``on`` (28 member states in 2015, 27 from February 2020):

    - *with third countries* when a named country was not a member state then, when the notes
      count third countries, or when more countries (or administrations) took part than there
      were member states — or than the member states the notes count ("34 countries incl. 26 EU MS");
    - otherwise *regional* when the notes say "regional", or when at most
      ``REGIONAL_MAX_MEMBER_STATES`` member states took part (named, counted, or all countries
      counted when none is said to be a third country);
    - otherwise *EU-wide*.
    """
    members = set(member_states_on(on))
    countries = [p.code for p in participants if p.is_country]
    counts = stated_counts(notes)
    named_members = sum(1 for code in countries if code in members)
    member_states = max(named_members, counts.member_states or 0,
                        len(members) if counts.all_member_states else 0)
    third = max(len(countries) - named_members, counts.third_countries or 0)
    if counts.countries is not None:
        third = max(third, counts.countries - (member_states if member_states else len(members)))
    if third > 0:
        return JcoKind.THIRD_COUNTRIES
    if re.search(r"\bregional\b", notes, re.I):
        return JcoKind.REGIONAL
    if max(member_states, counts.countries or 0) <= REGIONAL_MAX_MEMBER_STATES:
        return JcoKind.REGIONAL
    return JcoKind.EU_WIDE


def parse_row(raw: dict, row_number: int, this_year: int) -> ParsedRow:
    """One row of the file (keys are the lower-case column names) → a ParsedRow with its problems."""
    row = ParsedRow(row=row_number)
    name = clean(raw.get("name"))
    if not name:
        row.error("name", _("the operation has no name"))
    elif len(name) > 120:
        row.error("name", _("is longer than %(num)d characters", num=120))
    edition = clean(raw.get("edition"))
    if len(edition) > 20:
        row.error("edition", _("is longer than %(num)d characters", num=20))
    row.name, row.edition = display_name(name), display_edition(edition)
    row.key = match_key(name, edition)

    row.year_start = _year(row, raw, "year_start")
    row.year_end = _year(row, raw, "year_end")
    if row.year_start and row.year_end and row.year_end < row.year_start:
        row.error("year_end", _("%(end)s is before year_start %(start)s", end=row.year_end, start=row.year_start))
        row.year_end = None

    _participants(row, raw)
    row.commodities = _vocabulary(row, raw, "target_goods", 200)
    row.transport_modes = _vocabulary(row, raw, "transport_modes", 40)
    row.public_results = clean(raw.get("results_summary"))

    row.documents, problems = parse_documents(raw.get("council_docs") or "")
    for message in problems:
        row.error("council_docs", message)
    try:
        row.classification = parse_classification(raw.get("classification") or "")
    except ValueError as error:
        row.error("classification", str(error))

    row.sources = split_list(raw.get("source_urls"))
    row.source_notes = clean(raw.get("notes"))
    notes = _notes(row.source_notes)
    if period := _OP_PERIOD.search(notes["free"]):
        operational = parse_period(period[1])
        if operational and row.year_start and operational[0].year != row.year_start:
            row.warn("notes", _("op_period %(period)s does not fall in year_start %(year)s; its dates are not used",
                                period=period[1].strip(), year=row.year_start))
        elif operational:
            row.operational = operational

    on = row.operational[0] if row.operational else date(row.year_start or this_year, 7, 1)
    kind_text = clean(raw.get("kind"))
    if kind_text:
        kind = read_kind(kind_text)
        if kind is None:
            row.error("kind", _("'%(value)s' is not a kind of operation: write one of %(kinds)s (or its code)",
                                value=kind_text, kinds=kind_choices()))
        else:
            row.kind, row.kind_given = kind, True
    if not row.kind_given:
        row.kind = derive_kind(row.participants, on, notes["free"])

    framework_text = clean(raw.get("framework")).upper()
    type_text = notes["type"].upper()
    if framework_text and type_text and framework_text != type_text:
        row.warn("framework", _("the framework column says %(column)s, the notes type=%(notes)s; %(column)s is used",
                                column=framework_text, notes=type_text))
    given = framework_text or type_text
    if given and given not in FRAMEWORKS:
        row.error("framework" if framework_text else "notes",
                  _("'%(code)s' is not a framework code: one of %(codes)s", code=given, codes=", ".join(FRAMEWORKS)))
    elif given:
        row.framework, row.framework_given = given, True

    state_text = clean(raw.get("state"))
    if state_text and not is_ccwp(row.framework):
        pass  # a related operation has no life cycle: an exported file leaves its state blank
    elif state_text:
        state = read_state(state_text)
        if state is None:
            row.error("state", _("'%(value)s' is not a state of the life cycle: write it as the register shows it "
                                 "(e.g. Report presented) or its code", value=state_text))
        row.state = state
    return row


# --- quantities in published results ------------------------------------------------------------

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_SCALE = r"(?:\s*(million|M)\b)?"
# "13 million cigarettes", "77,811,800 cigarettes", "4.1M cigarettes"
_CIGARETTES = re.compile(_NUMBER + _SCALE + r"\s+(?:counterfeit\s+)?cigarettes\b", re.I)
# "668 kg cocaine", "44,062 kg water pipe tobacco", "~140,000 litres diesel", "10 t tobacco"
_MEASURED = re.compile(_NUMBER + _SCALE + r"\s+(kg|t|litres)\s+(?:of\s+)?([a-z][a-z ]{1,40}?)(?=\s*(?:[,;()]|\band\b|\bseized\b|\bdetained\b|$))",
                       re.I)
_SCALES = {"million": 1_000_000, "m": 1_000_000}


def _number(text: str, scale: str | None) -> float:
    return float(text.replace(",", "")) * _SCALES.get((scale or "").lower(), 1)


def published_quantities(summary: str) -> list[tuple[str, float, str]]:
    """(commodity, quantity, unit) that a ``results_summary`` states plainly: cigarettes counted in
    pieces, and goods measured in kg (tonnes read as kg) or litres. The first figure for each
    commodity is its total (summaries go on to break it down: "13 million cigarettes seized: 4.1M
    by …"); counts of seizures, items or cases without a commodity are not quantities and are left out."""
    found: dict[tuple[str, str], float] = {}
    for match in _CIGARETTES.finditer(summary or ""):
        found.setdefault(("cigarettes", "pieces"), _number(match[1], match[2]))
    for match in _MEASURED.finditer(summary or ""):
        quantity, unit, goods = _number(match[1], match[2]), match[3].lower(), " ".join(match[4].lower().split())
        if unit == "t":
            quantity, unit = quantity * 1000, "kg"
        found.setdefault((goods, unit), quantity)
    return [(goods, quantity, unit) for (goods, unit), quantity in found.items()]
