"""Folded forms of names and phone numbers, so duplicates are found however they were typed (C10).

``name_key``: full-width to half-width (NFKC), case folded, spaces and
punctuation dropped: "上海 ABC（集团）有限公司" and "上海abc(集团)有限公司" meet.
``phone_key``: digits only, without a +86/0086 country code.
Both are stored beside the value and indexed, so the duplicate checks are
index lookups, not scans.
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
