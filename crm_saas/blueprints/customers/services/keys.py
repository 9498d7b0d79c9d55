"""Folded forms of names and phone numbers, so duplicates are found however they were typed (C10).

``name_key``: full-width to half-width (NFKC), case folded, spaces and
punctuation dropped: "上海 ABC（集团）有限公司" and "上海abc(集团)有限公司" meet.
``phone_key``: digits only, without a +86/0086 country code.
Both are stored beside the value and indexed, so the duplicate checks are
index lookups, not scans. ``phone_key`` also has a trigram index, so a search
finds any run of a number's digits (``phone_digits``), the last four included.
"""
import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_NOT_DIGIT = re.compile(r"\D+")


def name_key(name):
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    return _NOT_WORD.sub("", folded) or None


def phone_key(phone):
    digits = _NOT_DIGIT.sub("", unicodedata.normalize("NFKC", phone or ""))
    for code in ("0086", "86"):
        if digits.startswith(code) and len(digits) - len(code) >= 10:
            digits = digits[len(code):]
            break
    return digits or None


_PHONE_LIKE = re.compile(r"^\+?[\d\s()\-]+$")
PHONE_DIGITS_MIN = 3  # a trigram index serves runs of three characters and more


def phone_digits(q):
    """The digits to look for in ``phone_key`` when a search ``q`` looks like (part of) a phone number.

    ``010-8888 6666``, ``01088886666`` and ``6666`` all qualify; ``A-380`` does
    not (a letter), nor does ``12`` (too short to look for).
    """
    q = unicodedata.normalize("NFKC", q or "").strip()
    if not _PHONE_LIKE.match(q):
        return None
    digits = phone_key(q)
    return digits if digits and len(digits) >= PHONE_DIGITS_MIN else None
