"""Template helpers every feature's pages use: money and times in the reader's format."""
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import get_currency_symbol
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


def when(value):
    """A stored UTC time in the company's time zone and the reader's format ('' for none)."""
    return format_datetime(value, "short") if value else ""


def init_app(app):
    app.jinja_env.globals["money"] = money
    app.jinja_env.filters["when"] = when
