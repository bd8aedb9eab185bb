"""Quantities as people type them — the one place that reads one, for the results form, the CSV
files and the API alike.

Read: ``4100000``, ``4,100,000``, ``4 100 000`` (with a space, a no-break space or the narrow
no-break space French typography uses), ``4.100.000``, and decimals ``4.5``, ``1,250.5``,
``4 100 000,5``. Refused, with a message that says how to write it: what could be read two ways
(``4,100``: four thousand one hundred, or four point one?) and a lone decimal comma (``4,1``),
except in files saved with semicolons, where the comma is the decimal mark (``decimal_comma``).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

# Space, no-break space, narrow no-break space, thin space: all separate thousands.
_SPACES = re.compile("[ \u00a0\u202f\u2009]")
_SIGN = r"[+-]?"
_PLAIN = re.compile(rf"{_SIGN}(\d+(\.\d*)?|\.\d+)")
_COMMA_GROUPS = re.compile(rf"{_SIGN}\d{{1,3}}(,\d{{3}})+(\.\d+)?")  # 4,100,000 · 1,250.5
_SPACE_GROUPS = re.compile(rf"{_SIGN}\d{{1,3}}( \d{{3}})+([.,]\d+)?")  # 4 100 000 · 4 100 000,5
_DOT_GROUPS = re.compile(rf"{_SIGN}\d{{1,3}}(\.\d{{3}})+(,\d+)?")  # 4.100.000 · 4.100,5
_DECIMAL_COMMA = re.compile(rf"{_SIGN}\d*,\d+")  # 4,1 · 0,250


def _plain(number: str) -> str:
    """``4.100`` → ``4.1``: a number as one would write it, without trailing zeros."""
    return format(Decimal(number).normalize(), "f")


class QuantityError(ValueError):
    """A quantity that cannot be read; the message says how to write it."""


def parse_quantity(text: str, *, decimal_comma: bool = False) -> Decimal:
    """The number ``text`` writes; QuantityError when it is missing, not a number or ambiguous."""
    shown = (text or "").strip()
    raw = _SPACES.sub(" ", shown)
    if not raw:
        raise QuantityError(_("The quantity is missing."))
    if _PLAIN.fullmatch(raw):
        number = raw
    elif _SPACE_GROUPS.fullmatch(raw):
        number = raw.replace(" ", "").replace(",", ".")
    elif _DOT_GROUPS.fullmatch(raw) and (raw.count(".") > 1 or "," in raw):
        number = raw.replace(".", "").replace(",", ".")
    elif _COMMA_GROUPS.fullmatch(raw) and (raw.count(",") > 1 or "." in raw):
        number = raw.replace(",", "")
    elif (_COMMA_GROUPS.fullmatch(raw) or _DECIMAL_COMMA.fullmatch(raw)) and decimal_comma:
        number = raw.replace(",", ".")
    elif _COMMA_GROUPS.fullmatch(raw):  # 4,100: thousands in English, a decimal in French
        raise QuantityError(_(
            "‘%(text)s’ can be read two ways: write %(whole)s for the whole number or %(decimal)s for the decimal.",
            text=shown, whole=raw.replace(",", ""), decimal=_plain(raw.replace(",", "."))))
    elif _DECIMAL_COMMA.fullmatch(raw):
        raise QuantityError(_("Write decimals with a point: %(decimal)s, not ‘%(text)s’.",
                              decimal=raw.replace(",", "."), text=shown))
    else:
        raise QuantityError(_(
            "‘%(text)s’ is not a quantity: write digits, with thousands in groups of three if you like "
            "(4,100,000 or 4 100 000) and decimals after a point (4.5).", text=shown))
    try:
        value = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only numbers
        raise QuantityError(_("‘%(text)s’ is not a number.", text=shown)) from None
    return value
