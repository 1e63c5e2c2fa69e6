"""Translations: the French catalogue covers every message of the code, and translates it well.

The messages are extracted in-process with Babel and babel.cfg, like scripts/messages.sh
does; when a test here fails, run `scripts/messages.sh` and translate what it lists in
parvis/locale/fr/LC_MESSAGES/messages.po. No database needed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from parvis.kernel import i18n
from parvis.kernel.web.templating import make_environment

ROOT = Path(__file__).resolve().parents[1]
FR_PO = ROOT / "parvis" / "locale" / "fr" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy": None}  # as in scripts/messages.sh

# A printf-style conversion, as Python's % operator (and Jinja's newstyle gettext) reads it.
CONVERSION = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<kind>[diouxXeEfFgGcrsa%])"
)
# Translations are rendered as markup in templates (autoescaped Jinja + newstyle gettext).
MARKUP_CHARACTERS = '<>&"'


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")  # type: ignore[no-untyped-call]
    catalog = Catalog(locale="en")
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT / "parvis", method_map, options_map, keywords=KEYWORDS
    ):
        if isinstance(message, tuple | list):
            message = tuple(part for part in message if part is not None)
            message = message[0] if len(message) == 1 else message
        catalog.add(message, None, [(f"parvis/{filename}", lineno)], context=context)
    return catalog


@pytest.fixture(scope="module")
def french() -> Catalog:
    with FR_PO.open("rb") as po:
        return read_po(po, locale="fr")


def _messages(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


def _where(message: Message) -> str:
    return ", ".join(sorted({path for path, _line in message.locations})) or "?"


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, tuple | list) else (message.id,)


def _forms(message: Message) -> tuple[str, ...]:
    string = message.string
    return tuple(string) if isinstance(string, tuple | list) else (string or "",)


def _is_format(message: Message, extracted: Catalog) -> bool:
    """Python code formats the ids that have placeholders; templates format every message."""
    source = extracted.get(message.id, context=message.context) or message
    templated = any(path.endswith(".html") for path, _line in source.locations)
    return templated or message.python_format


def _placeholders(text: str) -> tuple[frozenset[str], tuple[str, ...], bool]:
    """Named placeholders, positional ones in order, and whether a % is stray (not %%)."""
    named: set[str] = set()
    positional: list[str] = []
    for match in CONVERSION.finditer(text):
        if match.group(0) == "%%":
            continue
        if match["name"] is not None:
            named.add(f"%({match['name']}){match['kind']}")
        else:
            positional.append(match.group(0))
    stray = "%" in CONVERSION.sub("", text)
    return frozenset(named), tuple(positional), stray


def test_the_catalogue_is_french_with_two_plural_forms(french: Catalog) -> None:
    assert str(french.locale) == "fr"
    assert french.num_plurals == 2
    assert french.plural_expr.replace(" ", "") == "(n>1)"


def test_every_message_of_the_code_is_in_the_french_catalogue(
    extracted: Catalog, french: Catalog
) -> None:
    assert len(extracted) > 100, "extraction found too few messages: is babel.cfg right?"
    missing, changed_plural = [], []
    for message in _messages(extracted):
        found = french.get(message.id, context=message.context)
        if found is None:
            missing.append(f"{message.id!r} ({_where(message)})")
        elif message.pluralizable and (not found.pluralizable or found.id != message.id):
            changed_plural.append(f"{message.id!r} ({_where(message)}): the .po has {found.id!r}")
    assert not missing, "run scripts/messages.sh, then translate in French:\n" + "\n".join(missing)
    assert not changed_plural, "plural forms changed:\n" + "\n".join(changed_plural)


def test_every_french_message_is_translated_and_not_fuzzy(french: Catalog) -> None:
    problems = []
    for message in _messages(french):
        forms = _forms(message)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(forms) or (message.pluralizable and len(forms) != french.num_plurals):
            problems.append(f"not translated: {message.id!r}")
    assert not problems, "in " + str(FR_PO.relative_to(ROOT)) + ":\n" + "\n".join(problems)


def test_translations_keep_the_placeholders_of_the_ids(extracted: Catalog, french: Catalog) -> None:
    problems = []
    for message in _messages(french):
        ids = _ids(message)
        forms = _forms(message)
        if not all(forms) or not _is_format(message, extracted):
            continue  # untranslated: reported above; not formatted: a lone % is a percent sign
        expected = [_placeholders(text) for text in ids]
        all_named = frozenset().union(*(named for named, *_rest in expected))
        for index, form in enumerate(forms):
            named, positional, stray = _placeholders(form)
            # Form 0 (n <= 1 in French) follows the singular id, the others the plural id;
            # a singular form may still show a placeholder of the plural, such as %(num)d.
            id_named, id_positional, _ = expected[min(index, len(ids) - 1)]
            named_ok = id_named <= named <= all_named if len(ids) > 1 else named == id_named
            if stray:
                problems.append(f"{message.id!r}: lone % in {form!r} (write %% for a percent)")
            elif not named_ok or positional != id_positional:
                problems.append(f"{message.id!r}: placeholders differ in {form!r}")
    assert not problems, "\n".join(problems)


def test_translations_add_no_markup(french: Catalog) -> None:
    """Templates output translations unescaped: < > & " must come from the id, if at all."""
    problems = []
    for message in _messages(french):
        ids = "".join(_ids(message))
        for form in _forms(message):
            added = [c for c in MARKUP_CHARACTERS if form.count(c) > ids.count(c)]
            if added:
                problems.append(f"{message.id!r}: {form!r} adds {''.join(added)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("en-GB,en;q=0.9", "en"),
        ("de", "fr"),
        ("fr-FR", "fr"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("de-DE,de;q=0.9,en;q=0.5", "en"),
        ("", "fr"),
    ],
)
def test_negotiate_picks_a_supported_language_or_the_default(
    accept_language: str, expected: str
) -> None:
    assert i18n.negotiate(accept_language, "fr") == expected


@contextmanager
def _locale(code: str) -> Iterator[None]:
    token = i18n.current_locale.set(code)
    try:
        yield
    finally:
        i18n.current_locale.reset(token)


def test_gettext_follows_the_current_locale() -> None:
    with _locale("fr"):
        assert i18n.gettext("Near me") == "Près de chez moi"
        assert i18n.gettext("Support this project") == "Soutenir ce projet"
    with _locale("en"):
        assert i18n.gettext("Near me") == "Near me"


def test_french_plural_counts_zero_and_one_as_singular() -> None:
    with _locale("fr"):
        forms = [i18n.ngettext("%(num)d project", "%(num)d projects", n) for n in (0, 1, 2)]
    assert forms == ["%(num)d projet", "%(num)d projet", "%(num)d projets"]


def test_templates_translate_with_newstyle_gettext() -> None:
    env = make_environment([], {})
    template = env.from_string(
        '{{ _("Page %(page)s of %(pages)s", page=2, pages=5) }} · '
        '{{ ngettext("%(num)d support", "%(num)d supports", 3) }}'
    )
    with _locale("fr"):
        assert template.render() == "Page 2 sur 5 · 3 soutiens"
    with _locale("en"):
        assert template.render() == "Page 2 of 5 · 3 supports"
