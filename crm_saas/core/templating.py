"""Template helpers every feature's pages use: money and times in the reader's format."""
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import get_currency_symbol, parse_pattern
from flask_babel import format_datetime, get_locale


def money(amount):
    """Amounts in the reader's currency format; the pattern and the symbol are looked up once per locale.

    (flask_babel.format_currency rebuilds the pattern per call, and Babel looks
    the currency's plural name up on every call even when the pattern only
    shows the symbol: together, most of the board's render time.)
    """
    pattern, locale, symbol = _currency_format(str(get_locale()))
    return pattern.apply(Decimal(amount or 0), locale).replace("¤", symbol)


@lru_cache(maxsize=16)
def _currency_format(locale_name):
    locale = Locale.parse(locale_name)
    return locale.currency_formats["standard"], locale, get_currency_symbol("CNY", locale)


def money_compact(amount):
    """An amount short enough for a board's column head or card: ¥864.4万 in Chinese, CN¥8.6M in English.

    The locale's own compact forms (CLDR, through Babel's data), one decimal
    below a hundred units and none above; below the first form the amount
    in full, without ".00". Pair it with the full amount on hover. Tables per
    locale are built once: Babel's ``format_compact_currency`` took 29 µs a
    call, 9 ms on a board of 300 cards.
    """
    value = Decimal(amount or 0)
    if value < 0:
        return "-" + money_compact(-value)
    forms, locale, symbol, short, whole, plain = _compact_format(str(get_locale()))
    for magnitude, prefix, suffix, divisor in forms:
        if abs(value) >= magnitude:
            scaled = value / divisor
            number = (short if abs(scaled) < 100 else whole).apply(scaled, locale)
            return f"{prefix}{number}{suffix}".replace("¤", symbol)
    return plain.apply(value, locale).replace("¤", symbol)


@lru_cache(maxsize=16)
def _compact_format(locale_name):
    locale = Locale.parse(locale_name)
    forms = []
    for magnitude, pattern in locale.compact_currency_formats["short"]["other"].items():
        text = pattern.pattern
        zeros = text.count("0")
        if "¤" not in text or not zeros:  # "0": the locale does not shorten at this size
            continue
        start = text.index("0")
        forms.append((int(magnitude), text[:start], text[start + zeros:], int(magnitude) // 10 ** (zeros - 1)))
    forms.sort(reverse=True)
    return (forms, locale, get_currency_symbol("CNY", locale), parse_pattern("#,##0.#"), parse_pattern("#,##0"),
            parse_pattern("¤#,##0.##"))


def when(value):
    """A stored UTC time in the company's time zone and the reader's format ('' for none)."""
    return format_datetime(value, "short") if value else ""


def init_app(app):
    app.jinja_env.globals["money"] = money
    app.jinja_env.globals["money_compact"] = money_compact
    app.jinja_env.filters["when"] = when
