"""Council of the EU document references such as ``6512/1/15 REV 1`` or ``CM 4063/15``.

People type these into forms and paste them out of Council PDFs, so parsing forgives case and
spacing; what we store and show is always the canonical text the Council prints, so that one
document never ends up under two spellings. The module is pure standard library so that forms,
importers, reports and tests share a single definition of what a valid reference is.

Grammar of one reference (canonical spacing)::

    [CM ]NUMBER/[R/]YY[ ADD a | COR c][ REV r]

The revision is written twice (``/r/`` and ``REV r``) and both must agree. Several parts of one
document can be cited together, later parts taking prefix, number and year from the first:
``6512/1/15 REV 1 + ADD 1 REV 1``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import total_ordering
from typing import Any

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MEETING_NOTICE_PREFIX",
    "PREFIXES",
    "Citation",
    "DocumentReference",
    "InvalidReference",
    "SubjectCode",
    "group_by_family",
    "parse_citation",
    "parse_subject_code",
]

MEETING_NOTICE_PREFIX = "CM"
PREFIXES: tuple[str, ...] = ("", MEETING_NOTICE_PREFIX)
# The year is printed with two digits, so only a century's worth of years can round-trip.
FIRST_YEAR = 1950
LAST_YEAR = 2049
# Bounds keep the canonical text inside the 60-character database column and the values
# inside a 32-bit integer column; real Council numbers stay far below them.
MAX_NUMBER_DIGITS = 6
MAX_PART_DIGITS = 3
MAX_SERIES_LENGTH = 30
# Longer input is not a reference; refusing it early keeps error messages short.
MAX_INPUT_LENGTH = 200

_EXAMPLES = "12712/15, 6512/1/15 REV 1 or CM 4063/15"
_EXPECTED = f"expected a document number like {_EXAMPLES}"
_SUBJECT_EXPECTED = "expected a subject code like JAI 779 or ENFOCUSTOM 108"
_ADD_AND_COR = "a reference is either an addendum (ADD) or a corrigendum (COR), not both"
_NUMBER_POSITIVE = "the document number must be positive"
_KEYWORDS = ("ADD", "COR", "REV")
_PART_NOUNS = {
    "REV": "revision number",
    "ADD": "addendum number (after ADD)",
    "COR": "corrigendum number (after COR)",
}
_KIND_RANK = {"": 0, "ADD": 1, "COR": 2}

# Only ASCII letters and digits are matched explicitly: re.IGNORECASE and \d would also accept
# look-alikes (Kelvin sign, Arabic-Indic digits) that int() and upper() silently convert.
_HEAD = re.compile(
    r"(?:(?P<prefix>[A-Za-z]+)\s*)?"
    r"(?P<number>[0-9]+)"
    r"(?:\s*/\s*(?P<second>[0-9]*))?"
    r"(?:\s*/\s*(?P<third>[0-9]*))?"
)
_TAIL_TOKEN = re.compile(r"\s+(?P<keyword>[A-Za-z]+)(?:\s*(?P<value>[0-9]+))?")
_SUBJECT = re.compile(r"(?P<series>[A-Za-z]+)\s*(?P<number>[0-9]+)")
_SERIES = re.compile(r"[A-Z]+")


class InvalidReference(ValueError):
    """A document reference or subject code that cannot be accepted.

    ``problem`` is the plain-English reason, written for the person filling in the form;
    ``text`` is what they entered (``None`` when a value was built in code), quoted in front of
    the problem so that the message still makes sense away from the form field.
    """

    def __init__(self, problem: str, text: str | None = None) -> None:
        self.problem = problem
        self.text = text
        super().__init__(problem if text is None else f"‘{text}’: {problem}")


def _require_int(value: object, name: str) -> int:
    # bool is an int subclass, but True as a document number is a programming error.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value


def _check_count(value: int, problem: str, max_digits: int, what: str) -> None:
    if value < 1:
        raise InvalidReference(problem)
    if value >= 10**max_digits:
        raise InvalidReference(f"the {what} is too long: at most {max_digits} digits")


def _full_year(two_digits: int) -> int:
    return (2000 if two_digits < FIRST_YEAR % 100 else 1900) + two_digits


@total_ordering
@dataclass(frozen=True, order=False, kw_only=True)
class DocumentReference:
    """One part of a Council document: the document itself, an addendum or a corrigendum,
    optionally in a given revision.

    Fields are keyword-only because revision, addendum and corrigendum are all small ints and
    positional calls would mix them up silently. Ordering follows :attr:`sort_key`.
    """

    prefix: str = ""
    number: int
    year: int
    revision: int | None = None
    addendum: int | None = None
    corrigendum: int | None = None

    def __post_init__(self) -> None:
        if self.prefix not in PREFIXES:
            raise InvalidReference(
                f"the prefix must be empty or {MEETING_NOTICE_PREFIX} (meeting notices), not {self.prefix!r}"
            )
        _check_count(
            _require_int(self.number, "number"), _NUMBER_POSITIVE, MAX_NUMBER_DIGITS, "document number"
        )
        year = _require_int(self.year, "year")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise InvalidReference(
                f"the year must be between {FIRST_YEAR} and {LAST_YEAR}, "
                f"because it is written with two digits (got {year})"
            )
        for keyword, value in (("REV", self.revision), ("ADD", self.addendum), ("COR", self.corrigendum)):
            if value is not None:
                noun = _PART_NOUNS[keyword]
                _require_int(value, noun)
                _check_count(value, f"the {noun} must be 1 or more", MAX_PART_DIGITS, noun)
        if self.addendum is not None and self.corrigendum is not None:
            raise InvalidReference(_ADD_AND_COR)

    @classmethod
    def parse(cls, text: str) -> DocumentReference:
        """Read one reference as typed by a person; use :func:`parse_citation` for ``+`` forms.

        Case, surrounding whitespace, runs of spaces, spaces around ``/`` and a missing space
        inside ``REV1``/``CM4063`` are forgiven; anything else wrong raises
        :class:`InvalidReference` naming the problem.
        """
        shown = _prepare(text, "enter a document reference")
        if "+" in shown:
            raise InvalidReference(
                "enter a single reference here; parts joined with + must be entered one by one", shown
            )
        return _parse_head(shown, shown)

    def format(self) -> str:
        """The canonical text, exactly as the Council prints it."""
        head = f"{self.prefix} " if self.prefix else ""
        middle = f"{self.revision}/" if self.revision is not None else ""
        tail = self._tail()
        text = f"{head}{self.number}/{middle}{self.year % 100:02d}"
        return f"{text} {tail}" if tail else text

    def __str__(self) -> str:
        return self.format()

    def _tail(self) -> str:
        # The part after the year; also how later parts of a citation are abbreviated.
        words = []
        if self.addendum is not None:
            words.append(f"ADD {self.addendum}")
        if self.corrigendum is not None:
            words.append(f"COR {self.corrigendum}")
        if self.revision is not None:
            words.append(f"REV {self.revision}")
        return " ".join(words)

    @property
    def family_key(self) -> tuple[str, int, int]:
        """(prefix, number, year): shared by a document and all its revisions, ADDs and CORs."""
        return (self.prefix, self.number, self.year)

    @property
    def base(self) -> DocumentReference:
        """The document itself, unrevised, that this part belongs to."""
        return DocumentReference(prefix=self.prefix, number=self.number, year=self.year)

    @property
    def _kind(self) -> tuple[str, int]:
        if self.addendum is not None:
            return ("ADD", self.addendum)
        if self.corrigendum is not None:
            return ("COR", self.corrigendum)
        return ("", 0)

    @property
    def part_key(self) -> tuple[str, int, int, str, int]:
        """(prefix, number, year, kind, n) with kind '', 'ADD' or 'COR': equal for all revisions
        of one part, so that the latest revision of each part can be picked out."""
        kind, n = self._kind
        return (*self.family_key, kind, n)

    @property
    def sort_key(self) -> tuple[int, int, str, int, int, int]:
        """Year, number and prefix, then the document before its ADDs before its CORs (each by
        its number), then unrevised before REV 1 before REV 2.

        Distinct references always get distinct keys, so ordering agrees with equality.
        """
        kind, n = self._kind
        return (self.year, self.number, self.prefix, _KIND_RANK[kind], n, self.revision or 0)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, DocumentReference):
            return NotImplemented
        return self.sort_key < other.sort_key

    def is_revision_of(self, other: DocumentReference) -> bool:
        """True if this is a later revision of the same part as ``other`` (which it supersedes)."""
        return self.part_key == other.part_key and (self.revision or 0) > (other.revision or 0)

    def next_revision(self) -> DocumentReference:
        """The reference the Council would give the next revision of this part."""
        return replace(self, revision=(self.revision or 0) + 1)


@dataclass(frozen=True)
class Citation:
    """Several parts of one document cited together, e.g. ``6512/1/15 REV 1 + ADD 1 REV 1``.

    Parts keep the order they were written in. Different documents are cited separately, so all
    parts must share prefix, number and year; the unrevised document itself has no abbreviated
    form, so it can only be the first part.
    """

    parts: tuple[DocumentReference, ...]

    def __post_init__(self) -> None:
        parts = tuple(self.parts)
        # Accepting any iterable is convenient, but the stored value must be a hashable tuple.
        object.__setattr__(self, "parts", parts)
        if not parts:
            raise InvalidReference("a citation needs at least one document reference")
        for part in parts:
            if not isinstance(part, DocumentReference):
                raise TypeError(f"citation parts must be DocumentReference, not {type(part).__name__}")
        first = parts[0]
        seen: set[DocumentReference] = set()
        for position, part in enumerate(parts):
            if part.family_key != first.family_key:
                raise InvalidReference(
                    f"all parts cited together must belong to {first.base}; cite {part} separately"
                )
            if part in seen:
                raise InvalidReference(f"{part} is cited twice")
            if position and part == part.base:
                raise InvalidReference(f"the document itself ({part}) can only be cited first")
            seen.add(part)

    @classmethod
    def parse(cls, text: str) -> Citation:
        """Read a ``+`` citation, or a single reference, as typed by a person."""
        shown = _prepare(text, "enter a document reference")
        head, *rest = shown.split("+")
        if not head.strip():
            raise InvalidReference(
                "start with the document number, then the other parts, like 6512/15 + ADD 1", shown
            )
        first = _parse_head(head.strip(), shown)
        parts = [first]
        for later in rest:
            parts.append(_parse_later_part(later.strip(), first, shown))
        try:
            return cls(tuple(parts))
        except InvalidReference as error:
            raise InvalidReference(error.problem, shown) from None

    def format(self) -> str:
        """The canonical combined text: the first part in full, later parts abbreviated."""
        first, *rest = self.parts
        return " + ".join([first.format(), *(part._tail() for part in rest)])

    def __str__(self) -> str:
        return self.format()

    def __iter__(self) -> Iterator[DocumentReference]:
        return iter(self.parts)

    def __len__(self) -> int:
        return len(self.parts)

    @property
    def family_key(self) -> tuple[str, int, int]:
        """The (prefix, number, year) shared by every part."""
        return self.parts[0].family_key


def parse_citation(text: str) -> Citation:
    """Read ``6512/1/15 REV 1 + ADD 1 REV 1`` (or a single reference) into a :class:`Citation`."""
    return Citation.parse(text)


@dataclass(frozen=True)
class SubjectCode:
    """A subject (file) code such as ``ENFOCUSTOM 108``.

    The year is not part of the printed code but is needed to identify it, because each
    series' running number restarts every year.
    """

    series: str
    number: int
    year: int

    def __post_init__(self) -> None:
        if not isinstance(self.series, str) or not _SERIES.fullmatch(self.series):
            raise InvalidReference(
                f"the series must be capital letters A-Z, like ENFOCUSTOM, not {self.series!r}"
            )
        if len(self.series) > MAX_SERIES_LENGTH:
            raise InvalidReference(f"the series is too long: at most {MAX_SERIES_LENGTH} letters")
        _check_count(
            _require_int(self.number, "number"),
            "the subject code number must be positive",
            MAX_NUMBER_DIGITS,
            "subject code number",
        )
        year = _require_int(self.year, "year")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise InvalidReference(f"the year must be between {FIRST_YEAR} and {LAST_YEAR} (got {year})")

    @classmethod
    def parse(cls, text: str, year: int) -> SubjectCode:
        """Read ``ENFOCUSTOM 108`` as typed; ``year`` comes from the document it appears on."""
        series, number = parse_subject_code(text)
        return cls(series, number, year)

    def format(self) -> str:
        """The code as printed on Council documents, without the year."""
        return f"{self.series} {self.number}"

    def __str__(self) -> str:
        return self.format()


def parse_subject_code(text: str) -> tuple[str, int]:
    """Read ``JAI 779`` / ``enfocustom 108`` into (series in capitals, number)."""
    shown = _prepare(text, "enter a subject code")
    match = _SUBJECT.fullmatch(shown)
    if match is None:
        if re.fullmatch(r"[0-9]+", shown):
            problem = "a subject code starts with its series letters, like JAI 779"
        elif re.fullmatch(r"[A-Za-z]+", shown):
            problem = f"the subject code needs its number after the letters, like {shown.upper()} 108"
        elif "/" in shown:
            problem = f"this looks like a document number; {_SUBJECT_EXPECTED}"
        else:
            problem = _SUBJECT_EXPECTED
        raise InvalidReference(problem, shown)
    series, digits = match["series"].upper(), match["number"]
    if len(series) > MAX_SERIES_LENGTH:
        raise InvalidReference(f"the series is too long: at most {MAX_SERIES_LENGTH} letters", shown)
    number = _read_int(digits, "subject code number", "the subject code number must be positive", shown)
    return series, number


def _prepare(text: str, empty_problem: str) -> str:
    # Whitespace runs are collapsed for the quoted echo only; the grammar itself allows them.
    if not isinstance(text, str):
        raise TypeError(f"expected text, not {type(text).__name__}")
    shown = " ".join(text.split())
    if not shown:
        raise InvalidReference(empty_problem)
    if len(shown) > MAX_INPUT_LENGTH:
        raise InvalidReference(f"this is too long to be a reference (at most {MAX_INPUT_LENGTH} characters)")
    return shown


def _read_int(
    digits: str, what: str, zero_problem: str, shown: str, max_digits: int = MAX_NUMBER_DIGITS
) -> int:
    """Apply the rules shared by every number except the year: no leading zeros, not zero,
    not absurdly long (checked before int() so huge inputs never reach it)."""
    stripped = digits.lstrip("0")
    if not stripped:
        raise InvalidReference(zero_problem, shown)
    if stripped != digits:
        raise InvalidReference(f"write {stripped}, not {digits}: leave out the leading zero", shown)
    if len(digits) > max_digits:
        raise InvalidReference(f"the {what} is too long: at most {max_digits} digits", shown)
    return int(digits)


def _read_year(digits: str, shown: str) -> int:
    if len(digits) != 2:
        if len(digits) == 4:
            hint = f": write {digits[2:]}, not {digits}"
        elif len(digits) == 1:
            hint = f": write 0{digits}, not {digits}"
        else:
            hint = ", like 15 for 2015"
        raise InvalidReference(f"the year must be two digits{hint}", shown)
    return _full_year(int(digits))


def _read_tail(tail: str, shown: str) -> dict[str, int]:
    """Read `` ADD 1 REV 2`` into {'ADD': 1, 'REV': 2}, enforcing order and exclusivity."""
    found: dict[str, int] = {}
    position = 0
    while position < len(tail):
        match = _TAIL_TOKEN.match(tail, position)
        if match is None:
            raise InvalidReference(_EXPECTED, shown)
        position = match.end()
        keyword, digits = match["keyword"].upper(), match["value"]
        if keyword not in _KEYWORDS:
            raise InvalidReference(
                f"‘{match['keyword']}’ cannot follow the number: only ADD, COR or REV can", shown
            )
        if digits is None:
            raise InvalidReference(f"{keyword} needs a number, like {keyword} 1", shown)
        if keyword in found:
            raise InvalidReference(f"{keyword} appears more than once", shown)
        if "REV" in found:
            raise InvalidReference(
                f"REV comes last: write {keyword} {digits.lstrip('0') or digits} before REV {found['REV']}",
                shown,
            )
        noun = _PART_NOUNS[keyword]
        found[keyword] = _read_int(digits, noun, f"the {noun} must be 1 or more", shown, MAX_PART_DIGITS)
    if "ADD" in found and "COR" in found:
        raise InvalidReference(_ADD_AND_COR, shown)
    return found


def _build(shown: str, **fields: Any) -> DocumentReference:
    # The parser has already produced a specific message for everything the constructor
    # checks; this only attaches the user's text should a rule ever be added to one side only.
    try:
        return DocumentReference(**fields)
    except InvalidReference as error:
        raise InvalidReference(error.problem, shown) from None


def _parse_head(part: str, shown: str) -> DocumentReference:
    """Parse a complete reference (``CM 6512/1/15 ADD 1 REV 1``); ``shown`` is quoted in errors."""
    match = _HEAD.match(part)
    if match is None:
        raise InvalidReference(_EXPECTED, shown)
    prefix = (match["prefix"] or "").upper()
    if prefix in _KEYWORDS:
        raise InvalidReference(
            f"the document number is missing before {prefix}, like 6512/15 {prefix} 1", shown
        )
    if prefix not in PREFIXES:
        raise InvalidReference(
            f"unknown prefix {prefix}: only {MEETING_NOTICE_PREFIX} (meeting notices) can come before the number",
            shown,
        )
    number = _read_int(match["number"], "document number", _NUMBER_POSITIVE, shown)
    second, third = match["second"], match["third"]
    if not second and third is None:
        raise InvalidReference(f"the year is missing: add it after a slash, like {number}/15", shown)
    if third is None:
        middle_digits, year_digits = None, second
    elif not second:
        raise InvalidReference(_EXPECTED, shown)
    elif not third:
        raise InvalidReference(
            f"the year is missing after {number}/{second}/, like {number}/{second}/15", shown
        )
    else:
        middle_digits, year_digits = second, third
    middle = None
    if middle_digits is not None:
        middle = _read_int(
            middle_digits, "revision number", "the revision number must be 1 or more", shown, MAX_PART_DIGITS
        )
    year = _read_year(year_digits, shown)
    tail = _read_tail(part[match.end() :], shown)
    revision = tail.get("REV")
    fields: dict[str, Any] = {
        "prefix": prefix,
        "number": number,
        "year": year,
        "addendum": tail.get("ADD"),
        "corrigendum": tail.get("COR"),
    }
    if middle is None and revision is not None:
        intended = _build(shown, **fields, revision=revision)
        raise InvalidReference(
            f"a revision needs its number after the document number too: {intended}", shown
        )
    if middle is not None and revision is None:
        intended = _build(shown, **fields, revision=middle)
        raise InvalidReference(
            f"the revision number after the document number ({middle}) needs REV {middle} at the end too: {intended}",
            shown,
        )
    if middle != revision:
        raise InvalidReference(
            f"the revision after the number ({middle}) and after REV ({revision}) must be the same", shown
        )
    return _build(shown, **fields, revision=revision)


def _parse_later_part(part: str, first: DocumentReference, shown: str) -> DocumentReference:
    """Parse an abbreviated part after ``+`` (``ADD 1 REV 1``), inheriting ``first``'s family."""
    if not part:
        raise InvalidReference("nothing follows a +; add the part, like 6512/15 + ADD 1", shown)
    if "/" in part or part[0].isdigit():
        raise InvalidReference(
            "after + write only the part, like ADD 1 or REV 2: the document number comes from the "
            "first part, and other documents are cited separately",
            shown,
        )
    tail = _read_tail(" " + part, shown)
    return _build(
        shown,
        prefix=first.prefix,
        number=first.number,
        year=first.year,
        revision=tail.get("REV"),
        addendum=tail.get("ADD"),
        corrigendum=tail.get("COR"),
    )


def group_by_family(
    references: Iterable[DocumentReference],
) -> dict[tuple[str, int, int], list[DocumentReference]]:
    """Sorted references per document family, families in sort order: the list view of a file."""
    families: dict[tuple[str, int, int], list[DocumentReference]] = {}
    for reference in sorted(references):
        families.setdefault(reference.family_key, []).append(reference)
    return families
