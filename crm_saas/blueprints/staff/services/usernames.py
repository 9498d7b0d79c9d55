"""Usernames suggested from Chinese names by the B1 pinyin rule.

张三 -> zhangsan (two characters: full pinyin); 张三海 -> zhangsh (longer:
the first character in full, the rest as initials); zhangsan1 on a clash.
"""
import re

from sqlalchemy import func, select

from crm_saas.core.users import User
from crm_saas.extensions import db

# Surnames read differently from the same character elsewhere (pypinyin reads
# words, not names): the first character of a name is a surname.
SURNAME_READINGS = {
    "单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao",
    "盖": "ge", "乐": "yue", "覃": "qin", "缪": "miao", "翟": "zhai", "尉": "yu", "种": "chong",
    "秘": "bi", "召": "shao", "长": "chang", "沈": "shen", "任": "ren", "华": "hua",
}


def base_username(name):
    """The suggestion before clash numbering, or '' when nothing usable remains."""
    name = re.sub(r"\s+", "", name or "")
    if not name:
        return ""
    if not re.search(r"[\u3400-\u9fff]", name):
        return re.sub(r"[^a-z0-9_.-]", "", name.lower())[:60]
    chars = [c for c in name if re.match(r"[\u3400-\u9fffA-Za-z0-9]", c)]
    full = [SURNAME_READINGS.get(chars[0]) or _full(chars[0])] if chars else []
    if len(chars) == 2:
        full.append(_full(chars[1]))
    else:
        from pypinyin import Style, lazy_pinyin  # noqa: PLC0415  (start-up cost: 0.3 s of dictionaries)

        full += [lazy_pinyin(c, style=Style.FIRST_LETTER, errors="default")[0] for c in chars[1:]]
    return re.sub(r"[^a-z0-9]", "", "".join(full).lower())[:60]


def _full(char):
    from pypinyin import lazy_pinyin  # noqa: PLC0415  (start-up cost: 0.3 s of dictionaries)

    return lazy_pinyin(char, errors="default")[0]


def suggest_username(name, column=User.username):
    """``base``, or ``base`` with the lowest number not yet taken in ``column`` (this company's staff, or the
    platform's accounts for an agency's)."""
    base = base_username(name)
    if not base:
        return ""
    taken = set(db.session.scalars(
        select(func.lower(column)).where(func.lower(column).startswith(base))
    ))
    if base not in taken:
        return base
    n = 1
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"
