#!/usr/bin/env bash
# Extract the translatable messages and update the catalogues (French first, English second).
#
#   scripts/messages.sh
#
# 1. extracts the English message ids of parvis/ (Python and Jinja, see babel.cfg) into
#    parvis/locale/messages.pot;
# 2. updates parvis/locale/{fr,en}/LC_MESSAGES/messages.po (creates them the first time).
# Then translate the new (empty) and fuzzy entries of the French catalogue and run
# `python -m pytest tests/test_i18n.py`. No .mo file: parvis.kernel.i18n reads the .po files.
#
# Diffs stay small: messages are sorted by msgid, locations name the file without a line
# number, lines are not wrapped, obsolete messages are dropped (git keeps them), and the
# template is rewritten only when a message changed, not for its POT-Creation-Date alone.
set -euo pipefail

cd "$(dirname "$0")/.."
if [ -x .venv/bin/pybabel ]; then BIN=.venv/bin/; else BIN=; fi
PYBABEL=${BIN}pybabel
PYTHON=${BIN}python3

LOCALE_DIR=parvis/locale
POT=$LOCALE_DIR/messages.pot
LOCALES=(fr en)

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

"$PYBABEL" -q extract -F babel.cfg -o "$tmp" \
    -k _ -k gettext -k ngettext:1,2 -k lazy \
    --add-comments=TRANSLATORS: \
    --add-location=file --sort-output --no-wrap \
    --project=Parvis --version=0.1.0 --copyright-holder="The Parvis contributors" \
    parvis

without_date() { grep -v '^"POT-Creation-Date:' "$1"; }
if [ -f "$POT" ] && diff -q <(without_date "$POT") <(without_date "$tmp") >/dev/null; then
    echo "$POT: no change"
else
    cp "$tmp" "$POT"
    echo "$POT: updated"
fi

for lang in "${LOCALES[@]}"; do
    "$PYBABEL" -q update -i "$POT" -d "$LOCALE_DIR" -l "$lang" \
        --init-missing --ignore-obsolete --no-wrap
done

# What is left to translate in French (new messages have an empty msgstr, changed ones are
# marked fuzzy).
"$PYTHON" - "$LOCALE_DIR/fr/LC_MESSAGES/messages.po" <<'PY'
import sys
from babel.messages.pofile import read_po
with open(sys.argv[1], "rb") as f:
    catalog = read_po(f)
todo = [m for m in catalog if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))]
print(f"fr: {len(todo)} message(s) to translate" + "".join(f"\n  - {m.id!r}" for m in todo))
PY
