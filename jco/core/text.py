"""Words for people in the pure core, which imports nothing from Flask.

- ``N_("Adopted")`` marks a label for translation where it is defined, without translating it:
  pybabel extracts it, and the web layer translates it where a person reads it (``gettext(label)``
  in Python, ``label|t`` in templates).
- ``_("Due in %(days)s days", days=3)`` and ``ngettext`` translate at once, in the reader's
  language, once the web layer has installed Flask-Babel's functions (``use_translations``); until
  then (scripts, the CLI) they give the English text with its placeholders filled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def N_(text: str) -> str:  # noqa: N802 - the name pybabel and every gettext user expect
    return text


def _english(text: str, **params: Any) -> str:
    return text % params if params else text


def _english_plural(singular: str, plural: str, num: int, **params: Any) -> str:
    params.setdefault("num", num)
    return (singular if num == 1 else plural) % params


_gettext: Callable[..., str] = _english
_ngettext: Callable[..., str] = _english_plural


def use_translations(gettext: Callable[..., str], ngettext: Callable[..., str]) -> None:
    global _gettext, _ngettext
    _gettext, _ngettext = gettext, ngettext


def _(text: str, **params: Any) -> str:
    return str(_gettext(text, **params))


def ngettext(singular: str, plural: str, num: int, **params: Any) -> str:
    return str(_ngettext(singular, plural, num, **params))
