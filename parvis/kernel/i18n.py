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
    preferred = [
        part.split(";")[0].strip().replace("-", "_") for part in accept_language.split(",")
    ]
    found = Locale.negotiate([p for p in preferred if p], list(LOCALES), sep="_")
    return str(found) if found else default


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return babel_format_date(value, format="long", locale=current_locale.get())


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return babel_format_datetime(
        value, format="medium", tzinfo=PARIS, locale=current_locale.get()
    )


def format_number(value: float | int | None) -> str:
    if value is None:
        return ""
    return babel_format_decimal(value, locale=current_locale.get())
