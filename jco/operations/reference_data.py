"""Organisations every deployment needs: countries from ISO 3166 (pycountry) and the bodies.

Loaded idempotently after each migration, so a fresh database is usable without the demo.
"""

from __future__ import annotations

from datetime import date

import pycountry
from sqlmodel import Session, select

from jco.core.cache import ensure_row
from jco.deadlines import stamps
from jco.operations.models import Organisation, OrgKind, TransportMode, was_member_on

# Accession (and, for the United Kingdom, withdrawal) dates, so that 2015 data stays true.
EU_MEMBERSHIP: dict[str, tuple[date, date | None]] = {
    **{c: (date(1958, 1, 1), None) for c in ("BE", "DE", "FR", "IT", "LU", "NL")},
    **{c: (date(1973, 1, 1), None) for c in ("DK", "IE")},
    "GB": (date(1973, 1, 1), date(2020, 1, 31)),
    "GR": (date(1981, 1, 1), None),
    **{c: (date(1986, 1, 1), None) for c in ("ES", "PT")},
    **{c: (date(1995, 1, 1), None) for c in ("AT", "FI", "SE")},
    **{c: (date(2004, 5, 1), None) for c in ("CY", "CZ", "EE", "HU", "LV", "LT", "MT", "PL", "SK", "SI")},
    **{c: (date(2007, 1, 1), None) for c in ("BG", "RO")},
    "HR": (date(2013, 7, 1), None),
}

# The Council's protocol order: member states by their names in their own languages (Belgique/België,
# Bulgaria, Česko, Danmark, Deutschland, Eesti, Éire, Elláda, España, France, Hrvatska, Italia,
# Kýpros, Latvija, Lietuva, Luxembourg, Magyarország, Malta, Nederland, Österreich, Polska, Portugal,
# România, Slovenija, Slovensko, Suomi, Sverige), the United Kingdom last while it was one.
PROTOCOL_ORDER = ("BE", "BG", "CZ", "DK", "DE", "EE", "IE", "GR", "ES", "FR", "HR", "IT", "CY", "LV", "LT", "LU",
                  "HU", "MT", "NL", "AT", "PL", "PT", "RO", "SI", "SK", "FI", "SE", "GB")


def protocol_key(code: str, name: str) -> tuple[int, int, str]:
    """Sort key: member states in protocol order, then any other delegation or body by name."""
    if code in PROTOCOL_ORDER:
        return (0, PROTOCOL_ORDER.index(code), name)
    return (1, 0, name)


BODIES: dict[str, str] = {
    "OLAF": "European Anti-Fraud Office (OLAF)",
    "EUROPOL": "Europol",
    "FRONTEX": "Frontex",
    "DG-TAXUD": "DG Taxation and Customs Union (DG TAXUD)",
    "DG-HOME": "DG Migration and Home Affairs (DG HOME)",
    "WCO": "World Customs Organization (WCO)",
    "INTERPOL": "Interpol",
    "COM": "European Commission",
    "GSC": "General Secretariat of the Council",
}

TRANSPORT_MODES = ("air", "sea", "road", "rail", "post", "courier", "inland waterway")


def country_name(country) -> str:
    return getattr(country, "common_name", None) or country.name


def member_states_on(day: date) -> list[str]:
    return sorted(code for code, (joined, left) in EU_MEMBERSHIP.items() if was_member_on(joined, left, day))


# Today's member states as ISO 3166-1 alpha-3 codes (the feature ids of the map's countries layer).
EU_MEMBER_STATES_ISO3 = tuple(
    pycountry.countries.get(alpha_2=code).alpha_3 for code, (_, left) in EU_MEMBERSHIP.items() if left is None
)


def ensure_reference_data(session: Session) -> int:
    """Add any missing country, body or basic transport mode; returns how many rows were added."""
    known = set(session.scalars(select(Organisation.code)))
    added = 0
    for country in pycountry.countries:
        code = country.alpha_2
        if code in known:
            continue
        start, end = EU_MEMBERSHIP.get(code, (None, None))
        session.add(
            Organisation(
                code=code, name=country_name(country), kind=OrgKind.COUNTRY, iso3=country.alpha_3,
                eu_member_from=start, eu_member_until=end,
            )
        )
        added += 1
    for code, name in BODIES.items():
        if code not in known:
            session.add(Organisation(code=code, name=name, kind=OrgKind.BODY))
            added += 1
    modes = {m.lower() for m in session.scalars(select(TransportMode.name))}
    for mode in TRANSPORT_MODES:
        if mode not in modes:
            session.add(TransportMode(name=mode))
            added += 1
    ensure_row(session)  # the data version counter (jco.core.cache)
    session.flush()
    stamps.ensure_row(session.connection())  # what changed, per operation (jco.deadlines.stamps)
    return added
