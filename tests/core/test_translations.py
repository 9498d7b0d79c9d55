"""Every user-facing string of the source tree is translated in every catalog.

The messages are extracted afresh from the working tree (the same command as
``make extract-messages``), so adding a ``_()``/``_l()`` string without
translating it fails here, even before anyone refreshes ``messages.pot``.
Fix a failure with ``make extract-messages``, then fill in the new entries.
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "crm_saas" / "translations"
# Every catalog under translations/ (zh_CN and en today), so a new language is checked too.
LOCALES = sorted(path.parent.parent.name for path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))

# A printf-style conversion as Python's ``%`` operator reads it, named or not, and "%%".
_CONVERSION = re.compile(r"%(?:%|(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa])")


def test_the_chinese_and_english_catalogs_exist():
    assert "en" in LOCALES and any(locale.startswith("zh") for locale in LOCALES), LOCALES


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The messages of the current source tree, as a catalog."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
         "-F", "babel.cfg", "-k", "_l", "-o", str(pot), "crm_saas"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stdout}\n{result.stderr}"
    with pot.open("rb") as f:
        catalog = read_po(f)
    messages = [message for message in catalog if message.id]
    assert messages, "pybabel extract found no messages: is babel.cfg still right?"
    return messages


def load_catalog(locale):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def strings(value):
    """The msgid or msgstr as a tuple: plural messages have several."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def describe(message):
    where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
    context = f" [context {message.context!r}]" if message.context else ""
    return f"{strings(message.id)[0]!r}{context} ({where})"


def conversions(text):
    return sorted(_CONVERSION.findall(text or ""))


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_not_fuzzy(locale):
    # pybabel compile skips a catalog whose header is fuzzy: none of it would show.
    assert not load_catalog(locale).fuzzy, f"{locale}: remove '#, fuzzy' from the header entry"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(extracted, locale):
    catalog = load_catalog(locale)
    missing, fuzzy = [], []
    for message in extracted:
        translation = catalog.get(message.id, context=message.context)
        if translation is None or not all(strings(translation.string)):
            missing.append(describe(message))
        elif translation.fuzzy:
            fuzzy.append(describe(message))
    problems = [f"untranslated: {line}" for line in missing] + [f"fuzzy: {line}" for line in fuzzy]
    assert not problems, (
        f"{len(problems)} message(s) of the source lack a {locale} translation; run `make extract-messages` "
        f"and translate them in crm_saas/translations/{locale}/LC_MESSAGES/messages.po:\n  "
        + "\n  ".join(problems)
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders(extracted, locale):
    """``%(name)s`` and friends must survive translation, or formatting raises or drops values."""
    catalog = load_catalog(locale)
    wrong = []
    for message in extracted:
        translation = catalog.get(message.id, context=message.context)
        if translation is None:
            continue  # reported by test_every_message_is_translated
        # A plural form may follow either the singular or the plural msgid.
        expected = {(tuple(conversions(form)), form.count("%")) for form in strings(message.id)}
        for text in strings(translation.string):
            if text and (tuple(conversions(text)), text.count("%")) not in expected:
                wanted = " or ".join(str(list(spec)) for spec, _ in sorted(expected))
                wrong.append(f"{describe(message)}: expected {wanted}, got {conversions(text)} in {text!r}")
    assert not wrong, f"{locale} translations whose placeholders differ from the msgid:\n  " + "\n  ".join(wrong)
