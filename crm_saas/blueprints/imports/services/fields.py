"""What an import can fill, per kind, and how a file's headers find those fields.

The same list makes the template's columns (``headers``), the mapping page's
choices and the automatic match. A header matches a field by the field's
label in either language (English and Chinese, as the template writes it,
``*`` for required or not), by its code, or by the words Chinese
spreadsheets use for it, seed 002's among them (客户ID, 客户名称, 联系人, 职位,
电话, 邮箱, 行业, 注册日期; 机会ID, 产品名称, 阶段(如潜在/成交), 预计金额,
负责人, 截止日期; 记录ID, 互动类型(如电话/邮件), 日期, 内容摘要, 后续行动).
Those words are data, not interface text, so they are written here as they
stand rather than translated. Headers are compared folded (width, case,
spaces, punctuation and a trailing bracketed note ignored).

``SHEET_NAMES[kind]`` and ``headers(kind)`` are also what the full export
writes (``full_export.py``), so its workbook imports back as it is.
"""
import re
import unicodedata
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from crm_saas.blueprints.activities.services import TEXT_LABELS as ACTIVITY_LABELS
from crm_saas.blueprints.custom_fields.services import definitions
from crm_saas.blueprints.customers.services.codes import CONTACT_FIELD_LABELS, FIELD_LABELS

SHEET_NAMES = {"customers": _l("Customers"), "contacts": _l("Contacts"), "deals": _l("Deals"),
               "activities": _l("Follow-ups")}
KIND_LABELS = SHEET_NAMES
# How people (and seed 002) name such sheets; the importer reads the sheet named for its kind.
SHEET_ALIASES = {
    "customers": ("客户信息表", "客户信息", "客户", "客户表", "客户列表"),
    "contacts": ("联系人表", "联系人信息", "联系人列表", "客户联系人"),
    "deals": ("销售机会表", "销售机会", "商机", "商机表", "机会"),
    "activities": ("客户互动记录表", "互动记录", "跟进记录", "跟进", "客户跟进记录"),
}
LANGUAGES = ("en", "zh_CN")
REQUIRED_MARK = "*"


@dataclass(frozen=True)
class Field:
    key: str
    label: object  # a lazy string, or a custom field's own label
    required: bool = False
    aliases: tuple = ()
    kind: str = "text"  # text, choice, date, datetime, number, tags, owner, ref, campaign


CUSTOMER_REF = Field("customer_ref", _l("Customer ID"), aliases=(
    "客户ID", "客户编号", "编号", "客户代码", "外部编号", "customer number", "number", "external id"))
# G1: the campaign a customer or a deal came from, by its name (values.Campaigns).
CAMPAIGN = Field("campaign", _l("Campaign"), kind="campaign", aliases=(
    "市场活动", "营销活动", "活动", "活动名称", "所属活动", "来源活动", "campaign name"))
# How a deal or a follow-up names its customer: the customer's id in the file, its number, or its name.
LINK_ALIASES = ("客户ID", "客户编号", "客户代码", "客户", "客户名称", "customer", "customer number", "customer name")


def _customer_fields():
    label = FIELD_LABELS
    contact = CONTACT_FIELD_LABELS
    return (
        CUSTOMER_REF,
        Field("name", label["name"], True, ("客户名称", "客户名", "公司名称", "企业名称", "单位名称", "名称", "客户",
                                           "company", "company name", "customer")),
        Field("industry", label["industry"], True, ("行业", "所属行业"), "choice"),
        Field("industry_note", label["industry_note"], aliases=("行业说明", "行业备注")),
        Field("type", label["type"], aliases=("客户类型", "类型"), kind="choice"),
        Field("source", label["source"], True, ("来源", "客户来源", "渠道"), "choice"),
        CAMPAIGN,
        Field("category", label["category"], aliases=("分类", "客户分类", "客户层级", "层级", "客户级别")),
        Field("size", label["size"], aliases=("规模", "公司规模", "企业规模", "人员规模")),
        Field("province", label["province"], aliases=("省份", "省", "所在省份")),
        Field("city", label["city"], aliases=("城市", "市", "所在城市")),
        Field("district", label["district"], aliases=("区县", "区", "县", "区/县")),
        Field("address", label["address"], aliases=("地址", "详细地址", "公司地址")),
        Field("tags", label["tags"], aliases=("标签",), kind="tags"),
        Field("remarks", label["remarks"], aliases=("备注",)),
        Field("needs", label["needs"], aliases=("需求", "需求痛点")),
        Field("goals", label["goals"], aliases=("业务目标", "目标")),
        Field("past_dealings", label["past_dealings"], aliases=("合作历史", "过往合作")),
        Field("owner", label["owner_id"], aliases=("负责人", "所属销售", "销售", "业务员", "跟进人"), kind="owner"),
        Field("contact_name", contact["name"], True, ("联系人", "联系人姓名", "姓名", "contact")),
        Field("contact_title", contact["title"], aliases=("职位", "职务", "联系人职位", "title", "job title")),
        Field("contact_phone", contact["phone"], True, ("电话", "联系电话", "手机", "手机号", "手机号码", "联系方式",
                                                       "phone", "mobile", "tel")),
        Field("contact_email", contact["email"], aliases=("邮箱", "电子邮箱", "邮件", "email", "e-mail")),
        Field("contact_wechat", contact["wechat"], aliases=("微信", "微信号")),
        Field("contact_role", contact["role"], aliases=("联系人角色", "角色"), kind="choice"),
        Field("created_at", _l("Created"), aliases=("注册日期", "创建时间", "创建日期", "录入时间", "created at"),
              kind="date"),
    )


def _contact_fields():
    """A customer's extra contacts, one a row: the customer (as deals name it), then the contact's fields."""
    contact = CONTACT_FIELD_LABELS
    return (
        Field("customer_ref", CUSTOMER_REF.label, True, (*LINK_ALIASES, "编号", "number"), "ref"),
        Field("name", contact["name"], True, ("联系人", "联系人姓名", "姓名", "contact", "name")),
        Field("title", contact["title"], aliases=("职位", "职务", "联系人职位", "title", "job title")),
        # Required for the main contact only, as the customer form asks (validation.contact_errors).
        Field("phone", contact["phone"], aliases=("电话", "联系电话", "手机", "手机号", "手机号码", "联系方式",
                                                  "phone", "mobile", "tel")),
        Field("email", contact["email"], aliases=("邮箱", "电子邮箱", "邮件", "email", "e-mail")),
        Field("wechat", contact["wechat"], aliases=("微信", "微信号")),
        Field("role", contact["role"], aliases=("联系人角色", "角色"), kind="choice"),
        Field("primary", contact["primary"], aliases=("是否主联系人", "主要联系人", "main", "primary"),
              kind="choice"),
    )


def _deal_fields():
    return (
        Field("customer_ref", CUSTOMER_REF.label, True, LINK_ALIASES, "ref"),
        Field("deal_ref", _l("Deal ID"), aliases=("机会ID", "商机ID", "商机编号", "opportunity id")),
        Field("name", _l("Deal name"), True, ("商机名称", "机会名称", "产品名称", "项目名称", "deal", "opportunity",
                                             "product")),
        Field("stage", _l("Stage"), aliases=("阶段", "阶段(如潜在/成交)", "销售阶段", "商机阶段"), kind="choice"),
        Field("amount", _l("Expected amount"), aliases=("金额", "预计金额", "预期金额", "商机金额", "amount"),
              kind="number"),
        Field("expected_close", _l("Expected close date"), aliases=(
            "预计成交日期", "截止日期", "预计结束日期", "成交日期", "close date"), kind="date"),
        Field("probability", _l("Probability, %"), aliases=("赢率", "成交概率", "概率", "probability"), kind="number"),
        Field("owner", _l("Owner"), aliases=("负责人", "所属销售", "销售", "业务员"), kind="owner"),
        CAMPAIGN,
        Field("key_actions", _l("Key actions"), aliases=("关键行动", "关键事项")),
    )


def _activity_fields():
    return (
        Field("customer_ref", CUSTOMER_REF.label, True, LINK_ALIASES, "ref"),
        Field("deal_ref", _l("Deal ID"), aliases=("机会ID", "商机ID", "商机编号", "opportunity id")),
        Field("type", _l("Type"), True, ("类型", "跟进方式", "互动类型", "互动类型(如电话/邮件)", "方式"), "choice"),
        Field("occurred_at", _l("When"), True, ("日期", "时间", "跟进时间", "跟进日期", "互动日期", "发生时间", "date"),
              "datetime"),
        Field("summary", ACTIVITY_LABELS["summary"], True, ("内容摘要", "内容", "跟进内容", "摘要", "沟通内容")),
        Field("feedback", ACTIVITY_LABELS["feedback"], aliases=("客户反馈", "反馈")),
        Field("offer", ACTIVITY_LABELS["offer"], aliases=("提供方案", "报价")),
        Field("next_action", ACTIVITY_LABELS["next_action"], aliases=("后续行动", "下一步", "下一步计划", "后续计划")),
        Field("next_follow_up_at", _l("Next follow-up"), aliases=("下次跟进时间", "下次跟进"), kind="datetime"),
        Field("participants", ACTIVITY_LABELS["participants"], aliases=("参与人", "参与人员")),
        Field("duration_minutes", _l("Duration (minutes)"), aliases=("时长", "时长(分钟)"), kind="number"),
    )


_BUILT_IN = {"customers": _customer_fields, "contacts": _contact_fields, "deals": _deal_fields,
             "activities": _activity_fields}
_CUSTOM_ENTITY = {"customers": "customer", "deals": "deal"}


def fields(kind):
    """The fields of ``kind`` in the template's order, the company's custom fields last."""
    built_in = _BUILT_IN[kind]()
    entity = _CUSTOM_ENTITY.get(kind)
    custom = tuple(Field(f"custom.{d.key}", d.label, d.required, (d.key,), "custom")
                   for d in definitions(entity)) if entity else ()
    return built_in + custom


def field_map(kind):
    return {f.key: f for f in fields(kind)}


def header(field):
    """The template's header of ``field`` in the current language; required ones end with ``*``."""
    return f"{field.label}{REQUIRED_MARK if field.required else ''}"


def headers(kind):
    """The template's headers of ``kind``, in the current language (the full export writes the same)."""
    return [header(f) for f in fields(kind)]


_NOTE = re.compile(r"[(（\[【].*?[)）\]】]")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text):
    """A header or value as compared: width, case, spaces, punctuation and ``*`` ignored."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", str(text or "")).casefold())


def folds(text):
    """The folded text, then the same without a bracketed note: "阶段(如潜在/成交)" also reads as "阶段"."""
    whole = fold(text)
    bare = fold(_NOTE.sub("", unicodedata.normalize("NFKC", str(text or ""))))
    return [key for key in dict.fromkeys((whole, bare)) if key]


def in_languages(label):
    """``label`` as each supported language writes it."""
    if not isinstance(label, LazyString):  # a custom field's own label: one language
        return [str(label)]
    names = []
    for language in LANGUAGES:
        with force_locale(language):
            names.append(str(label))
    return names


def _index(kind):
    """``{folded name: field key}``: labels in both languages and codes first (a company's own custom field
    named 客户级别 beats the word's usual meaning), then the usual words; the first one wins."""
    index, known = {}, fields(kind)
    for names in (lambda f: (*in_languages(f.label), f.key), lambda f: f.aliases):
        for field in known:
            for name in names(field):
                for key in folds(name):
                    index.setdefault(key, field.key)
    return index


def match_columns(columns, kind, remembered=None):
    """``{column: field key or None}``: what the company mapped last time, else the automatic match.

    Each field is filled by one column at most: the first that names it.
    """
    index, known, taken, mapping = _index(kind), field_map(kind), set(), {}
    remembered = remembered or {}
    for column in columns:
        field = remembered.get(column)
        kept = column in remembered and (field is None or (field in known and field not in taken))
        if not kept:  # never mapped before, or to a field that is gone or already filled
            field = next((index[key] for key in folds(column) if key in index and index[key] not in taken), None)
        mapping[column] = field
        if field:
            taken.add(field)
    return mapping


def sheet_names(kind):
    """The names a sheet of ``kind`` may go by, folded: ours in both languages, then the usual ones."""
    return [fold(name) for name in (*in_languages(SHEET_NAMES[kind]), kind, *SHEET_ALIASES[kind])]
