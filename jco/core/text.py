"""``N_``: marks a word for translation where it is defined, without translating it there.

The pure core (life cycle, deadline rules, references) imports nothing from Flask, so its labels
are written ``N_("Adopted")``: pybabel extracts them into the catalog, and the web layer translates
them when a person reads them (``gettext(label)`` in Python, ``label|t`` in templates).
"""


def N_(text: str) -> str:  # noqa: N802 - the name pybabel and every gettext user expect
    return text
