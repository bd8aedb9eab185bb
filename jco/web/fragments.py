"""Parts of a page that are the same for every reader they are shown to, rendered once per data
version and language and kept with the other cached values (jco.core.cache).

In a template::

    {% call kept_fragment("jco history", jco.id, version=version) %} … {% endcall %}

``parts`` must name everything the fragment shows beyond the data and the language: the operation,
and the markings withheld from the reader when it shows document titles. What depends on the
reader in any other way (forms, buttons, CSRF tokens, the reader's own rows) stays outside.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import request
from markupsafe import Markup

from jco.core import cache
from jco.core.db import get_session


def kept_fragment(name: str, *parts: Hashable, version: int | None, caller: Callable[[], str]) -> Markup:
    return cache.cached(get_session(), ("fragment", name, request.script_root, parts),
                        lambda: Markup(caller()), version=version)
