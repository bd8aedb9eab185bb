"""Words for the index and for queries, and the highlighted snippet. Pure: no database, no Flask.

Both engines index the words this module makes (lower case, accents folded, one space apart), so
that SQLite's and PostgreSQL's own tokenisers never disagree about what "12712/15" or "Überprüfung"
is: each sees plain words.
"""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

# Letters and digits: underscores and punctuation separate words (PostgreSQL's parser agrees).
_WORD = re.compile(r"[^\W_]+")
MAX_QUERY_WORDS = 12
MAX_TERMS_CHARS = 200_000  # a tsvector holds at most 1 MB; a long report's first pages suffice

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_ROMAN_NUMERAL = re.compile(r"^(?=[ivxlc])(c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")


def fold(word: str) -> str:
    """Lower case without accents: "Überprüfung" and "uberprufung" are one word."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    # Folded first, then split: folding can turn one character into several ("½" into "1⁄2").
    return _WORD.findall(fold(text or ""))


def terms(*texts: str) -> str:
    """What the index stores for these texts: their words, folded, one space apart."""
    return " ".join(w for text in texts for w in words(text))[:MAX_TERMS_CHARS]


def roman_to_int(word: str) -> int | None:
    word = fold(word)
    if not word or not _ROMAN_NUMERAL.match(word):
        return None
    total = 0
    for current, following in zip(word, word[1:] + " ", strict=True):
        value = _ROMAN[current]
        total += -value if following != " " and _ROMAN[following] > value else value
    return total


def int_to_roman(number: int) -> str:
    out = ""
    for value, numeral in ((100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"),
                           (5, "v"), (4, "iv"), (1, "i")):
        while number >= value:
            out += numeral
            number -= value
    return out


def edition_forms(edition: str) -> str:
    """An edition in both numbering systems, so "Athena IV" and "athena 4" find the same operation."""
    forms = []
    for word in words(edition):
        forms.append(word)
        if word.isdigit() and 0 < int(word) < 400:
            forms.append(int_to_roman(int(word)))
        elif (number := roman_to_int(word)) is not None:
            forms.append(str(number))
    return " ".join(forms)


def query_words(query: str) -> list[str]:
    """The distinct words of what someone typed, in order, at most MAX_QUERY_WORDS of them."""
    seen: list[str] = []
    for word in words(query):
        if word not in seen:
            seen.append(word)
    return seen[:MAX_QUERY_WORDS]


def fts5_query(query_words_: list[str]) -> str:
    """Every word, as a prefix, quoted: nothing a person types is read as FTS5 syntax."""
    return " AND ".join(f'"{w}"*' for w in query_words_)


def tsquery(query_words_: list[str]) -> str:
    """The same for PostgreSQL's to_tsquery: words are letters and digits only, so quoting is safe."""
    return " & ".join(f"'{w}':*" for w in query_words_)


def _matches(word: str, query_words_: list[str]) -> bool:
    folded = fold(word)
    return any(folded.startswith(q) for q in query_words_)


def snippet(text: str, query_words_: list[str], width: int = 160) -> Markup:
    """A piece of ``text`` around its first matching word, escaped, with matching words in <mark>.

    Escaping comes first and marking second, so nothing in the text can open a tag.
    """
    text = " ".join((text or "").split())
    if not text:
        return Markup("")
    spans = [m for m in _WORD.finditer(text) if _matches(m.group(), query_words_)]
    start = 0
    if spans and spans[0].start() > width // 3:
        start = text.rfind(" ", 0, spans[0].start() - width // 3) + 1
    end = min(len(text), start + width)
    if end < len(text):
        end = max(text.rfind(" ", start, end), start + width // 2)
    piece = text[start:end]
    out = [Markup("…") if start else Markup("")]
    last = 0
    for match in _WORD.finditer(piece):
        if _matches(match.group(), query_words_):
            out.append(escape(piece[last:match.start()]))
            out.append(Markup("<mark>%s</mark>") % match.group())
            last = match.end()
    out.append(escape(piece[last:]))
    if end < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)


def highlight(text: str, query_words_: list[str]) -> Markup:
    """A short text (a title) whole, escaped, with matching words marked."""
    return snippet(text, query_words_, width=max(len(text or ""), 1) + 1)
