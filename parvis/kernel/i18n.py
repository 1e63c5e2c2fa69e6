"""French first, English second: Babel catalogues read from the .po files at start-up.

Message ids are English; `fr` holds the French text. The locale of a request lives in a
context variable so that templates and code translate without passing it around.
"""

from __future__ import annotations

import gettext as gettext_module
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency as babel_format_currency
from babel.numbers import format_decimal as babel_format_decimal

LOCALES = ("fr", "en")
PARIS = ZoneInfo("Europe/Paris")
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
current_locale: ContextVar[str] = ContextVar("current_locale", default="fr")


@cache
def translations(locale: str) -> gettext_module.NullTranslations:
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def gettext(message: str) -> str:
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


def lazy(message: str) -> str:
    """Marks a string for extraction; translate it later with gettext()."""
    return message


def negotiate(accept_language: str, default: str) -> str:
    """The best of our locales for an Accept-Language header, honouring q-values."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag.replace("-", "_")))
    preferred = [tag for _q, _p, tag in sorted(weighted)]
    found = Locale.negotiate(preferred, list(LOCALES), sep="_") if preferred else None
    return str(found) if found else default


def ordinal(number: int) -> str:
    """1er, 2e… in French; 1st, 2nd… in English (for arrondissements)."""
    if current_locale.get() == "fr":
        return f"{number}er" if number == 1 else f"{number}e"
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return babel_format_date(value, format="long", locale=current_locale.get())


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return babel_format_datetime(value, format="medium", tzinfo=PARIS, locale=current_locale.get())


def format_number(value: float | int | None) -> str:
    if value is None:
        return ""
    return babel_format_decimal(value, locale=current_locale.get())


def format_money(value: int | float | None, currency: str = "EUR") -> str:
    """Whole amounts of money in the reader's conventions: 1 000 000 € or €1,000,000."""
    if value is None:
        return ""
    pattern = Locale.parse(current_locale.get()).currency_formats["standard"].pattern
    whole = pattern.split(";")[0].replace(".00", "")
    return babel_format_currency(
        value, currency, format=whole, locale=current_locale.get(), currency_digits=False
    )
