"""Council of the EU document references such as ``6512/1/15 REV 1``, ``CM 4063/15`` or, as the
public register writes them, ``ST 6512 2015 REV 1``.

People type these into forms and paste them out of Council PDFs and the register, so parsing
forgives case, spacing, invisible characters and the noise that travels with a pasted reference
(a ``doc.`` before it, a marking or bracketed subject codes after it). What we store and show is
always the classic text the Council prints, so that one document never ends up under two
spellings; :attr:`DocumentReference.register_form` gives the register's spelling beside it.
The module is pure standard library so that forms, importers, reports, the API's SQL order and
tests share a single definition of what a reference is, how references are ordered and how they
group into families.

Grammar of one reference (canonical spacing)::

    classic:   [SERIES ]NUMBER/[R/]YY[ SUFFIXES]        WK NUMBER/YYYY (INIT | SUFFIXES)
    register:  SERIES NUMBER YYYY (INIT | SUFFIXES)
    SUFFIXES:  [ADD a][ REV r][ COR c][ REV r][ EXT e][ DCL d]   (one REV at most)

The series is empty for the ordinary ``ST`` documents. In the classic form the revision is written
twice (``/r/`` and ``REV r``) and both must agree, except in the ``WK`` series, which the Council
writes with a four-digit year and no ``/r/``. ``REV r COR c`` corrects revision r; ``COR c REV r``
is revision r of corrigendum c. Several parts of one document can be cited together, later parts
taking series, number and year from the first: ``6512/1/15 REV 1 + ADD 1 REV 1``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import total_ordering
from typing import Any, Protocol, TypeVar

from jco.core.text import N_, _

__all__ = [
    "FIRST_WK_YEAR",
    "FIRST_YEAR",
    "LAST_YEAR",
    "MEETING_NOTICE_PREFIX",
    "PREFIXES",
    "WORKING_DOCUMENT_PREFIX",
    "Citation",
    "DocumentReference",
    "InvalidReference",
    "KeyAlgebra",
    "SubjectCode",
    "family_key_of",
    "group_by_family",
    "in_document_order",
    "parse_citation",
    "parse_subject_code",
    "sort_key_of",
    "sort_terms",
]

MEETING_NOTICE_PREFIX = "CM"
WORKING_DOCUMENT_PREFIX = "WK"
# The empty series is the ordinary ST series, which the classic form leaves unwritten.
PREFIXES: tuple[str, ...] = ("", MEETING_NOTICE_PREFIX, "DS", "PE-CONS", "SN", WORKING_DOCUMENT_PREFIX)
REGISTER_DEFAULT_SERIES = "ST"
# The year is printed with two digits, so only a century's worth of years can round-trip.
FIRST_YEAR = 1950
LAST_YEAR = 2049
# The Council started numbering working documents in the WK series in 2017.
FIRST_WK_YEAR = 2017
# Bounds keep the canonical text inside the 60-character database column and the values
# inside a 32-bit integer column; real Council numbers stay far below them.
MAX_NUMBER_DIGITS = 6
MAX_PART_DIGITS = 3
MAX_SERIES_LENGTH = 30
# Longer input is not a reference; refusing it early keeps error messages short.
MAX_INPUT_LENGTH = 200
# The width of the column that stores the classic text.
MAX_REFERENCE_LENGTH = 60

_EXAMPLES = "12712/15, 6512/1/15 REV 1, CM 4063/15 or ST 12712 2015 INIT"
_EXPECTED = N_("expected a document number like %(examples)s")
_SUBJECT_EXPECTED = N_("expected a subject code like JAI 779 or ENFOCUSTOM 108")
_NUMBER_POSITIVE = N_("the document number must be positive")
# Suffix keywords in the order they are written; REV may also follow COR (a revised corrigendum).
_SUFFIXES = ("ADD", "REV", "COR", "EXT", "DCL")
_KEYWORDS = (*_SUFFIXES, "INIT")
_PART_NOUNS = {
    "REV": N_("revision number"),
    "ADD": N_("addendum number (after ADD)"),
    "COR": N_("corrigendum number (after COR)"),
    "EXT": N_("extract number (after EXT)"),
    "DCL": N_("declassification number (after DCL)"),
}
_FIELDS = {"ADD": "addendum", "COR": "corrigendum", "EXT": "extract", "DCL": "declassification"}

# Only ASCII letters and digits are matched explicitly: re.IGNORECASE and \d would also accept
# look-alikes (Kelvin sign, Arabic-Indic digits) that int() and upper() silently convert.
_SERIES_WORD = r"(?P<prefix>[Pp][Ee]\s*-\s*[Cc][Oo][Nn][Ss]|[A-Za-z]+)"
_HEAD = re.compile(
    rf"(?:{_SERIES_WORD}\s*)?"
    r"(?P<number>[0-9]+)"
    r"(?:"
    r"\s+(?P<register_year>[0-9]{4})(?![0-9])"
    r"|(?:\s*/\s*(?P<second>[0-9]*))?(?:\s*/\s*(?P<third>[0-9]*))?"
    r")"
)
_TAIL_TOKEN = re.compile(r"\s*(?P<keyword>[A-Za-z]+)(?:\s*\.)?(?:\s*(?P<value>[0-9]+))?")
_SUBJECT = re.compile(r"(?P<series>[A-Za-z]+)\s*(?P<number>[0-9]+)")
_SERIES = re.compile(r"[A-Z]+")

# Noise that travels with a pasted reference. re.ASCII keeps IGNORECASE to ASCII letters.
_NOISE_FLAGS = re.IGNORECASE | re.ASCII
_LEADING_WORD = re.compile(r"(?:document|doc)(?![a-z])\s*\.?\s*(?:no\s*\.?\s*)?", _NOISE_FLAGS)
_MARKINGS = (
    r"LIMITE",
    r"(?:RESTREINT\s+UE|EU\s+RESTRICTED)(?:\s*/\s*(?:RESTREINT\s+UE|EU\s+RESTRICTED))?",
    r"(?:CONFIDENTIEL\s+UE|EU\s+CONFIDENTIAL)(?:\s*/\s*(?:CONFIDENTIEL\s+UE|EU\s+CONFIDENTIAL))?",
    r"(?:TRES\s+SECRET\s+UE|EU\s+TOP\s+SECRET)(?:\s*/\s*(?:TRES\s+SECRET\s+UE|EU\s+TOP\s+SECRET))?",
    r"(?:SECRET\s+UE|EU\s+SECRET)(?:\s*/\s*(?:SECRET\s+UE|EU\s+SECRET))?",
    r"PUBLIC",
)
_TRAILING_MARKING = re.compile(rf"[\s,;:-]*(?:{'|'.join(_MARKINGS)})\s*$", _NOISE_FLAGS)
_CODE = r"[A-Za-z]+\s*[0-9]+"
_TRAILING_BRACKETS = re.compile(r"\s*(?P<group>[\(\[](?P<inside>[^\(\)\[\]]*)[\)\]])\s*$")
_CODES_ONLY = re.compile(rf"\s*{_CODE}(?:\s*[,;]\s*{_CODE})*\s*")


class InvalidReference(ValueError):
    """A document reference or subject code that cannot be accepted.

    ``problem`` is the reason in the reader's language, written for the person filling in the form;
    ``text`` is what they entered (``None`` when a value was built in code), quoted in front of
    the problem so that the message still makes sense away from the form field.
    """

    def __init__(self, problem: str, text: str | None = None) -> None:
        self.problem = problem
        self.text = text
        super().__init__(problem if text is None else _("‘%(entered)s’: %(problem)s", entered=text, problem=problem))


def _require_int(value: object, name: str) -> int:
    # bool is an int subclass, but True as a document number is a programming error.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value


def _check_count(value: int, problem: str, max_digits: int, what: str) -> None:
    if value < 1:
        raise InvalidReference(problem)
    if value >= 10**max_digits:
        raise InvalidReference(_("the %(what)s is too long: at most %(digits)s digits", what=_(what), digits=max_digits))


def _full_year(two_digits: int) -> int:
    return (2000 if two_digits < FIRST_YEAR % 100 else 1900) + two_digits


# --- one order and one family grouping, in Python and in SQL ---------------------------------

T = TypeVar("T")
C = TypeVar("C")


class KeyAlgebra(Protocol[T, C]):
    """What :func:`sort_terms` needs to build a sort key: reading a stored field, asking whether
    an optional one is set, and choosing between two terms.

    Python evaluates it on objects (:func:`sort_key_of`); the database layer implements it with
    SQL expressions, so ``ORDER BY`` follows exactly the order the pages and exports use.
    """

    def field(self, name: str) -> T: ...
    def number_or_zero(self, name: str) -> T: ...
    def is_set(self, name: str) -> C: ...
    def is_true(self, name: str) -> C: ...
    def choose(self, condition: C, then: T, otherwise: T) -> T: ...
    def constant(self, value: int) -> T: ...
    def descending(self, term: T) -> T: ...


def sort_terms(k: KeyAlgebra[T, C], *, newest_families_first: bool = False) -> tuple[T, ...]:
    """The document order as terms, most significant first.

    Families by year, number and series; within a family the document and its revisions, then
    each addendum (by number) with its revisions and corrigenda, then the document's own
    corrigenda; within a part, unrevised before REV 1 before REV 2, and corrigenda after the
    versions they correct; an extract or declassification right after what it comes from.
    Distinct references always get distinct keys, so ordering agrees with equality.
    ``newest_families_first`` turns the order of families round (a listing that starts with the
    latest documents) and keeps the order inside each family.
    """
    family = (k.field("year"), k.field("number"), k.field("prefix"))
    if newest_families_first:
        family = (k.descending(family[0]), k.descending(family[1]), k.descending(family[2]))
    zero = k.constant(0)
    corrected = k.is_set("corrigendum")
    revision = k.number_or_zero("revision")
    # A corrigendum of the document itself is a part of its own, after the addenda; one of an
    # addendum stays with that addendum.
    kind = k.choose(k.is_set("addendum"), k.constant(1), k.choose(corrected, k.constant(2), zero))
    revision_of_version = k.choose(corrected, k.choose(k.is_true("corrects_revision"), revision, zero), revision)
    revision_of_corrigendum = k.choose(corrected, k.choose(k.is_true("corrects_revision"), zero, revision), zero)
    return (
        *family,
        kind,
        k.number_or_zero("addendum"),
        k.number_or_zero("corrigendum"),
        revision_of_version,
        revision_of_corrigendum,
        k.number_or_zero("extract"),
        k.number_or_zero("declassification"),
    )


class _ObjectKeys:
    """The key algebra over an object with the reference's fields (a DocumentReference, a
    Document row or a query row)."""

    def __init__(self, item: Any) -> None:
        self.item = item

    def field(self, name: str) -> Any:
        return getattr(self.item, name)

    def number_or_zero(self, name: str) -> int:
        return getattr(self.item, name, None) or 0

    def is_set(self, name: str) -> bool:
        return getattr(self.item, name, None) is not None

    def is_true(self, name: str) -> bool:
        return bool(getattr(self.item, name, False))

    def choose(self, condition: bool, then: Any, otherwise: Any) -> Any:
        return then if condition else otherwise

    def constant(self, value: int) -> int:
        return value

    def descending(self, term: Any) -> Any:
        return _Descending(term)


@total_ordering
class _Descending:
    """A sort term compared the other way round (works for text as well as numbers)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Descending) and self.value == other.value

    def __lt__(self, other: _Descending) -> bool:
        return bool(other.value < self.value)

    def __hash__(self) -> int:
        return hash(self.value)


def sort_key_of(item: Any, *, newest_families_first: bool = False) -> tuple[Any, ...]:
    """The sort key of anything carrying a reference's fields (missing optional fields count as
    unset), so references, Document rows and plain query rows sort alike."""
    return sort_terms(_ObjectKeys(item), newest_families_first=newest_families_first)


def family_key_of(item: Any) -> tuple[str, int, int]:
    """(prefix, number, year): shared by a document and all its revisions, ADDs and CORs."""
    return (item.prefix, item.number, item.year)


Item = TypeVar("Item")


def in_document_order(items: Iterable[Item]) -> list[Item]:
    """``items`` (references, documents or rows with their fields) in document order."""
    return sorted(items, key=sort_key_of)


def group_by_family(items: Iterable[Item]) -> dict[tuple[str, int, int], list[Item]]:
    """Items in document order per family, families in document order: the list view of a file."""
    families: dict[tuple[str, int, int], list[Item]] = {}
    for item in in_document_order(items):
        families.setdefault(family_key_of(item), []).append(item)
    return families


# --- references --------------------------------------------------------------------------------


@total_ordering
@dataclass(frozen=True, order=False, kw_only=True)
class DocumentReference:
    """One part of a Council document: the document itself, an addendum, a corrigendum, an
    extract or a declassification, optionally in a given revision.

    Fields are keyword-only because the suffix numbers are all small ints and positional calls
    would mix them up silently. ``corrects_revision`` tells ``REV r COR c`` (a corrigendum of
    revision r) from ``COR c REV r`` (revision r of the corrigendum). Ordering follows
    :func:`sort_terms`.
    """

    prefix: str = ""
    number: int
    year: int
    revision: int | None = None
    addendum: int | None = None
    corrigendum: int | None = None
    corrects_revision: bool = False
    extract: int | None = None
    declassification: int | None = None

    def __post_init__(self) -> None:
        if self.prefix not in PREFIXES:
            raise InvalidReference(_(
                "the prefix must be empty (ST) or one of %(prefixes)s, not %(prefix)s",
                prefixes=", ".join(p for p in PREFIXES if p), prefix=repr(self.prefix),
            ))
        _check_count(
            _require_int(self.number, "number"), _(_NUMBER_POSITIVE), MAX_NUMBER_DIGITS, N_("document number")
        )
        year = _require_int(self.year, "year")
        first = FIRST_WK_YEAR if self.prefix == WORKING_DOCUMENT_PREFIX else FIRST_YEAR
        if not first <= year <= LAST_YEAR:
            if self.prefix == WORKING_DOCUMENT_PREFIX:
                raise InvalidReference(_(
                    "the year must be between %(first)s and %(last)s, because the WK series started in 2017 "
                    "(got %(year)s)", first=first, last=LAST_YEAR, year=year))
            raise InvalidReference(_(
                "the year must be between %(first)s and %(last)s, because it is written with two digits "
                "(got %(year)s)", first=first, last=LAST_YEAR, year=year))
        for keyword, value in (
            ("REV", self.revision),
            ("ADD", self.addendum),
            ("COR", self.corrigendum),
            ("EXT", self.extract),
            ("DCL", self.declassification),
        ):
            if value is not None:
                noun = _PART_NOUNS[keyword]
                _require_int(value, noun)
                _check_count(value, _("the %(what)s must be 1 or more", what=_(noun)), MAX_PART_DIGITS, noun)
        if not isinstance(self.corrects_revision, bool):
            raise TypeError("corrects_revision must be a bool")
        if self.corrects_revision and (self.revision is None or self.corrigendum is None):
            raise InvalidReference(_("only a corrigendum of a revision (REV r COR c) corrects a revision"))
        # Only absurd combinations of the largest numbers get here; no Council reference does.
        if len(self.format()) > MAX_REFERENCE_LENGTH:
            raise InvalidReference(
                _("the reference is too long: at most %(length)s characters", length=MAX_REFERENCE_LENGTH))

    @classmethod
    def parse(cls, text: str) -> DocumentReference:
        """Read one reference as typed or pasted; use :func:`parse_citation` for ``+`` forms.

        Case, spacing, invisible characters, the register form, a ``doc.`` before and a marking
        or bracketed subject codes after are forgiven; anything else wrong raises
        :class:`InvalidReference` naming the fix.
        """
        shown, core = _prepare_reference(text)
        if "+" in core:
            raise InvalidReference(
                _("enter a single reference here; parts joined with + must be entered one by one"), shown
            )
        return _parse_head(core, shown)

    def format(self) -> str:
        """The classic text, exactly as the Council prints it on the document."""
        tail = self._tail()
        if self.prefix == WORKING_DOCUMENT_PREFIX:
            return f"{self.prefix} {self.number}/{self.year} {tail or 'INIT'}"
        head = f"{self.prefix} " if self.prefix else ""
        middle = f"{self.revision}/" if self.revision is not None else ""
        text = f"{head}{self.number}/{middle}{self.year % 100:02d}"
        return f"{text} {tail}" if tail else text

    @property
    def register_form(self) -> str:
        """The same reference as the Council's public register writes it: ``ST 6512 2015 REV 1``."""
        return f"{self.prefix or REGISTER_DEFAULT_SERIES} {self.number} {self.year} {self._tail() or 'INIT'}"

    def __str__(self) -> str:
        return self.format()

    def _tail(self) -> str:
        # The part after the year; also how later parts of a citation are abbreviated.
        words = []
        if self.addendum is not None:
            words.append(f"ADD {self.addendum}")
        revision = f"REV {self.revision}" if self.revision is not None else None
        if revision and (self.corrigendum is None or self.corrects_revision):
            words.append(revision)
        if self.corrigendum is not None:
            words.append(f"COR {self.corrigendum}")
            if revision and not self.corrects_revision:
                words.append(revision)
        if self.extract is not None:
            words.append(f"EXT {self.extract}")
        if self.declassification is not None:
            words.append(f"DCL {self.declassification}")
        return " ".join(words)

    @property
    def family_key(self) -> tuple[str, int, int]:
        """(prefix, number, year): shared by a document and all its revisions, ADDs and CORs."""
        return family_key_of(self)

    @property
    def base(self) -> DocumentReference:
        """The document itself, unrevised, that this part belongs to."""
        return DocumentReference(prefix=self.prefix, number=self.number, year=self.year)

    @property
    def _revises_part(self) -> bool:
        # In REV r COR c the revision names the version corrected, so it is not the part's own.
        return self.revision is None or not self.corrects_revision

    @property
    def part_key(self) -> tuple[Any, ...]:
        """Everything but the part's own revision: equal for all revisions of one part, so that
        the latest revision of each part can be picked out."""
        own = replace(self, revision=None, corrects_revision=False) if self._revises_part else self
        return sort_key_of(own)

    @property
    def sort_key(self) -> tuple[Any, ...]:
        """See :func:`sort_terms`."""
        return sort_key_of(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, DocumentReference):
            return NotImplemented
        return self.sort_key < other.sort_key

    def is_revision_of(self, other: DocumentReference) -> bool:
        """True if this is a later revision of the same part as ``other`` (which it supersedes)."""
        return (
            self._revises_part
            and self.part_key == other.part_key
            and (self.revision or 0) > (other.revision or 0)
        )

    def next_revision(self) -> DocumentReference:
        """The reference the Council would give the next revision of this part."""
        if not self._revises_part:
            raise InvalidReference(_("%(reference)s corrects a revision; a later revision is a new document",
                                     reference=str(self)))
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
            raise InvalidReference(_("a citation needs at least one document reference"))
        for part in parts:
            if not isinstance(part, DocumentReference):
                raise TypeError(f"citation parts must be DocumentReference, not {type(part).__name__}")
        first = parts[0]
        seen: set[DocumentReference] = set()
        for position, part in enumerate(parts):
            if part.family_key != first.family_key:
                raise InvalidReference(_("all parts cited together must belong to %(base)s; cite %(part)s separately",
                                         base=str(first.base), part=str(part)))
            if part in seen:
                raise InvalidReference(_("%(part)s is cited twice", part=str(part)))
            if position and part == part.base:
                raise InvalidReference(_("the document itself (%(part)s) can only be cited first", part=str(part)))
            seen.add(part)

    @classmethod
    def parse(cls, text: str) -> Citation:
        """Read a ``+`` citation, or a single reference, as typed or pasted."""
        shown, core = _prepare_reference(text)
        head, *rest = core.split("+")
        if not head.strip():
            raise InvalidReference(
                _("start with the document number, then the other parts, like 6512/15 + ADD 1"), shown
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

    @property
    def register_form(self) -> str:
        """The register's spelling of the first part, later parts abbreviated the same way."""
        first, *rest = self.parts
        return " + ".join([first.register_form, *(part._tail() for part in rest)])

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
    series' running number restarts every year; it is the year of the document's number.
    """

    series: str
    number: int
    year: int

    def __post_init__(self) -> None:
        if not isinstance(self.series, str) or not _SERIES.fullmatch(self.series):
            raise InvalidReference(
                _("the series must be capital letters A-Z, like ENFOCUSTOM, not %(series)s", series=repr(self.series))
            )
        if len(self.series) > MAX_SERIES_LENGTH:
            raise InvalidReference(_("the series is too long: at most %(length)s letters", length=MAX_SERIES_LENGTH))
        _check_count(
            _require_int(self.number, "number"),
            _("the subject code number must be positive"),
            MAX_NUMBER_DIGITS,
            N_("subject code number"),
        )
        year = _require_int(self.year, "year")
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise InvalidReference(_("the year must be between %(first)s and %(last)s (got %(year)s)",
                                     first=FIRST_YEAR, last=LAST_YEAR, year=year))

    @classmethod
    def parse(cls, text: str, year: int) -> SubjectCode:
        """Read ``ENFOCUSTOM 108`` as typed; ``year`` is that of the number of the document it is on."""
        series, number = parse_subject_code(text)
        return cls(series, number, year)

    def format(self) -> str:
        """The code as printed on Council documents, without the year."""
        return f"{self.series} {self.number}"

    def __str__(self) -> str:
        return self.format()


def parse_subject_code(text: str) -> tuple[str, int]:
    """Read ``JAI 779`` / ``enfocustom 108`` into (series in capitals, number)."""
    shown = _prepare(text, _("enter a subject code"))
    match = _SUBJECT.fullmatch(shown)
    if match is None:
        if re.fullmatch(r"[0-9]+", shown):
            problem = _("a subject code starts with its series letters, like JAI 779")
        elif re.fullmatch(r"[A-Za-z]+", shown):
            problem = _("the subject code needs its number after the letters, like %(series)s 108",
                        series=shown.upper())
        elif "/" in shown:
            problem = _("this looks like a document number; %(expected)s", expected=_(_SUBJECT_EXPECTED))
        else:
            problem = _(_SUBJECT_EXPECTED)
        raise InvalidReference(problem, shown)
    series, digits = match["series"].upper(), match["number"]
    if len(series) > MAX_SERIES_LENGTH:
        raise InvalidReference(_("the series is too long: at most %(length)s letters", length=MAX_SERIES_LENGTH),
                               shown)
    number = _read_int(digits, N_("subject code number"), _("the subject code number must be positive"), shown)
    return series, number


# --- reading text ------------------------------------------------------------------------------


def _prepare(text: str, empty_problem: str) -> str:
    # Invisible format characters (zero-width space, word joiner, BOM, soft hyphen) come along
    # when references are copied out of PDFs and web pages; they are dropped, not refused.
    # Whitespace runs (NBSP included) are collapsed for the quoted echo; the grammar allows them.
    if not isinstance(text, str):
        raise TypeError(f"expected text, not {type(text).__name__}")
    visible = "".join(char for char in text if unicodedata.category(char) != "Cf")
    shown = " ".join(visible.split())
    if not shown:
        raise InvalidReference(empty_problem)
    if len(shown) > MAX_INPUT_LENGTH:
        raise InvalidReference(
            _("this is too long to be a reference (at most %(length)s characters)", length=MAX_INPUT_LENGTH))
    return shown


def _prepare_reference(text: str) -> tuple[str, str]:
    """(what the person entered, tidied for quoting; the reference without pasted noise)."""
    shown = _prepare(text, _("enter a document reference"))
    core = _LEADING_WORD.sub("", shown, count=1) if _LEADING_WORD.match(shown) else shown
    while True:
        marking = _TRAILING_MARKING.search(core)
        if marking and marking.start() > 0:
            core = core[: marking.start()]
            continue
        brackets = _TRAILING_BRACKETS.search(core)
        if brackets and brackets.start() > 0:
            if not _CODES_ONLY.fullmatch(brackets["inside"]):
                raise InvalidReference(
                    _("leave out ‘%(group)s’: only subject codes in brackets, like (JAI 779), may follow a reference",
                      group=brackets["group"]),
                    shown,
                )
            core = core[: brackets.start()]
            continue
        break
    core = core.strip()
    if not core:
        raise InvalidReference(_("enter a document reference"), shown)
    return shown, core


def _read_int(
    digits: str, what: str, zero_problem: str, shown: str, max_digits: int = MAX_NUMBER_DIGITS
) -> int:
    """Apply the rules shared by every number except the year: no leading zeros, not zero,
    not absurdly long (checked before int() so huge inputs never reach it)."""
    stripped = digits.lstrip("0")
    if not stripped:
        raise InvalidReference(zero_problem, shown)
    if stripped != digits:
        raise InvalidReference(_("write %(number)s, not %(digits)s: leave out the leading zero", number=stripped,
                                 digits=digits), shown)
    if len(digits) > max_digits:
        raise InvalidReference(_("the %(what)s is too long: at most %(digits)s digits", what=_(what),
                                 digits=max_digits), shown)
    return int(digits)


def _read_year(digits: str, shown: str, prefix: str) -> int:
    if prefix == WORKING_DOCUMENT_PREFIX:
        # WK references carry four digits; two are understood as well.
        if len(digits) == 4:
            return int(digits)
        if len(digits) == 2:
            return _full_year(int(digits))
        raise InvalidReference(_("the year of a WK document has four digits, like WK 1234/2018 INIT"), shown)
    if len(digits) != 2:
        if len(digits) in (1, 4):
            better = digits[2:] if len(digits) == 4 else f"0{digits}"
            raise InvalidReference(_("the year must be two digits: write %(better)s, not %(digits)s", better=better,
                                     digits=digits), shown)
        raise InvalidReference(_("the year must be two digits, like 15 for 2015"), shown)
    return _full_year(int(digits))


def _suffix_order_problem(keyword: str, digits: str, found: dict[str, int], order: list[str]) -> str | None:
    """Why ``keyword`` cannot come after the suffixes already read, or None if it can."""
    if keyword == "REV":
        if "REV" in found:
            return _("REV appears more than once: a reference has one revision number")
        late = [k for k in order if k in ("EXT", "DCL")]
    elif keyword == "ADD":
        late = [k for k in order if k != "ADD"]
    elif keyword == "COR":
        late = [k for k in order if k in ("EXT", "DCL")]
    elif keyword == "EXT":
        late = [k for k in order if k == "DCL"]
    else:
        late = []
    if keyword in found:
        return _("%(keyword)s appears more than once", keyword=keyword)
    if late:
        return _("%(keyword)s comes before %(later)s (the order is ADD, REV, COR, EXT, DCL): write %(keyword)s "
                 "%(number)s before %(later)s %(later_number)s", keyword=keyword, later=late[0],
                 number=digits.lstrip("0") or digits, later_number=found[late[0]])
    return None


def _read_tail(tail: str, shown: str) -> tuple[dict[str, int], bool]:
    """Read `` ADD 1 REV 2`` into ({'ADD': 1, 'REV': 2}, corrects_revision), enforcing the order
    ADD, REV, COR, (REV), EXT, DCL; a lone INIT (the original) reads as no suffix."""
    found: dict[str, int] = {}
    order: list[str] = []
    saw_init = False
    position = 0
    while position < len(tail):
        match = _TAIL_TOKEN.match(tail, position)
        if match is None or match.end() == position:
            raise InvalidReference(_(_EXPECTED, examples=_EXAMPLES), shown)
        position = match.end()
        keyword, digits = match["keyword"].upper(), match["value"]
        if keyword not in _KEYWORDS:
            raise InvalidReference(
                _("‘%(word)s’ cannot follow the number: only ADD, REV, COR, EXT, DCL (or INIT for the original) can",
                  word=match["keyword"]),
                shown,
            )
        if keyword == "INIT":
            if digits is not None:
                raise InvalidReference(_("INIT takes no number: it marks the original document"), shown)
            saw_init = True
            continue
        if digits is None:
            raise InvalidReference(_("%(keyword)s needs a number, like %(keyword)s 1", keyword=keyword), shown)
        problem = _suffix_order_problem(keyword, digits, found, order)
        if problem:
            raise InvalidReference(problem, shown)
        noun = _PART_NOUNS[keyword]
        found[keyword] = _read_int(digits, noun, _("the %(what)s must be 1 or more", what=_(noun)), shown,
                                   MAX_PART_DIGITS)
        order.append(keyword)
    if saw_init and found:
        raise InvalidReference(
            _("INIT marks the original document; leave it out when ADD, REV, COR, EXT or DCL follows"), shown
        )
    corrects_revision = "REV" in found and "COR" in found and order.index("REV") < order.index("COR")
    return found, corrects_revision


def _build(shown: str, **fields: Any) -> DocumentReference:
    # The parser has already produced a specific message for everything the constructor
    # checks; this only attaches the user's text should a rule ever be added to one side only.
    try:
        return DocumentReference(**fields)
    except InvalidReference as error:
        raise InvalidReference(error.problem, shown) from None


def _suffix_fields(found: dict[str, int], corrects_revision: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {name: found.get(keyword) for keyword, name in _FIELDS.items()}
    fields["revision"] = found.get("REV")
    fields["corrects_revision"] = corrects_revision
    return fields


def _read_prefix(match: re.Match[str], shown: str) -> str:
    prefix = re.sub(r"\s+", "", match["prefix"] or "").upper()
    if prefix in _KEYWORDS:
        raise InvalidReference(
            _("the document number is missing before %(keyword)s, like 6512/15 %(keyword)s 1", keyword=prefix), shown
        )
    if prefix == REGISTER_DEFAULT_SERIES:
        return ""
    if prefix not in PREFIXES:
        raise InvalidReference(
            _("unknown prefix %(prefix)s: only %(series)s can come before the number (leave it out for ST documents)",
              prefix=prefix, series=_("%(names)s or %(last)s", names="ST, CM, WK, DS, SN", last="PE-CONS")),
            shown,
        )
    return prefix


def _parse_head(part: str, shown: str) -> DocumentReference:
    """Parse a complete reference (``CM 6512/1/15 ADD 1 REV 1``, ``ST 6512 2015 INIT``);
    ``shown`` is quoted in errors."""
    match = _HEAD.match(part)
    if match is None:
        raise InvalidReference(_(_EXPECTED, examples=_EXAMPLES), shown)
    prefix = _read_prefix(match, shown)
    number = _read_int(match["number"], N_("document number"), _(_NUMBER_POSITIVE), shown)
    tail, corrects_revision = _read_tail(part[match.end() :], shown)
    fields: dict[str, Any] = {
        "prefix": prefix,
        "number": number,
        **_suffix_fields(tail, corrects_revision),
    }
    revision = fields["revision"]
    if match["register_year"] is not None:
        # The register writes the revision only once, after REV.
        return _build(shown, **fields, year=_register_year(match["register_year"], shown))
    second, third = match["second"], match["third"]
    if not second and third is None:
        example = "WK 1234/2018 INIT" if prefix == WORKING_DOCUMENT_PREFIX else f"{number}/15"
        raise InvalidReference(_("the year is missing: add it after a slash, like %(example)s", example=example), shown)
    if third is None:
        middle_digits, year_digits = None, second
    elif not second:
        raise InvalidReference(_(_EXPECTED, examples=_EXAMPLES), shown)
    elif not third:
        raise InvalidReference(
            _("the year is missing after %(start)s/, like %(start)s/15", start=f"{number}/{second}"), shown
        )
    else:
        middle_digits, year_digits = second, third
    middle = None
    if middle_digits is not None:
        middle = _read_int(
            middle_digits, N_("revision number"), _("the %(what)s must be 1 or more", what=_("revision number")), shown,
            MAX_PART_DIGITS,
        )
    year = _read_year(year_digits, shown, prefix)
    if prefix == WORKING_DOCUMENT_PREFIX:
        if middle is not None:
            intended = _build(shown, **{**fields, "revision": revision or middle}, year=year)
            raise InvalidReference(_("a WK document writes its revision only after REV: %(intended)s",
                                     intended=str(intended)), shown)
        return _build(shown, **fields, year=year)
    if middle is None and revision is not None:
        intended = _build(shown, **fields, year=year)
        raise InvalidReference(
            _("a revision needs its number after the document number too: %(intended)s", intended=str(intended)), shown
        )
    if middle is not None and revision is None:
        intended = _build(shown, **{**fields, "revision": middle}, year=year)
        raise InvalidReference(
            _("the revision number after the document number (%(middle)s) needs REV %(middle)s at the end too: "
              "%(intended)s", middle=middle, intended=str(intended)),
            shown,
        )
    if middle != revision:
        raise InvalidReference(
            _("the revision after the number (%(middle)s) and after REV (%(revision)s) must be the same",
              middle=middle, revision=revision), shown
        )
    return _build(shown, **fields, year=year)


def _register_year(digits: str, shown: str) -> int:
    year = int(digits)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidReference(_("the year must be between %(first)s and %(last)s (got %(year)s)", first=FIRST_YEAR,
                                 last=LAST_YEAR, year=year), shown)
    return year


def _parse_later_part(part: str, first: DocumentReference, shown: str) -> DocumentReference:
    """Parse an abbreviated part after ``+`` (``ADD 1 REV 1``), inheriting ``first``'s family."""
    if not part:
        raise InvalidReference(_("nothing follows a +; add the part, like 6512/15 + ADD 1"), shown)
    if "/" in part or part[0].isdigit():
        raise InvalidReference(
            _("after + write only the part, like ADD 1 or REV 2: the document number comes from the first part, and "
              "other documents are cited separately"),
            shown,
        )
    tail, corrects_revision = _read_tail(" " + part, shown)
    return _build(
        shown,
        prefix=first.prefix,
        number=first.number,
        year=first.year,
        **_suffix_fields(tail, corrects_revision),
    )

