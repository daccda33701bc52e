"""Country codes: networks send ISO 3166-1 alpha-2 (``ES``); queries and mentions use
alpha-3 (``ESP``), as Brandwatch's ``country:`` does."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def alpha3(code: str | None) -> str:
    """``"es"``/``"ES"`` → ``"ESP"``; an alpha-3 code is returned upper-cased; anything
    unknown gives ``""`` (no country rather than a wrong one)."""
    if not code:
        return ""
    code = code.strip().upper()
    if len(code) == 2:
        country = pycountry.countries.get(alpha_2=code)
    elif len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
    else:
        return ""
    return country.alpha_3 if country is not None else ""
