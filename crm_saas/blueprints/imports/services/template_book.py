"""The template a company fills in: its current fields as columns, in the reader's language.

Required columns are marked (``*`` and red), each header carries a note of
what it takes, choice columns offer their values as a drop-down, and a
second sheet lists the allowed values: customer types, industries, sources,
the company's campaigns, contact roles (and yes/no for the main contact),
stages or follow-up types, and the national list of regions.
"""
from flask_babel import gettext as _

from crm_saas.blueprints.activities.services import TYPES
from crm_saas.blueprints.campaigns.services.choices import campaign_choices
from crm_saas.blueprints.customers.services.codes import CONTACT_ROLES, CUSTOMER_TYPES, INDUSTRIES, SOURCES
from crm_saas.blueprints.imports.services.fields import SHEET_NAMES, fields, header
from crm_saas.blueprints.pipeline.services import default_pipeline
from crm_saas.blueprints.pipeline.services.defaults import stage_label
from crm_saas.core import regions, spreadsheets

TEMPLATE_ROWS = 2000  # rows the drop-downs cover


def _lists(kind):
    """``{field key: [allowed value, ...]}`` in the reader's language (the company's campaigns, if it has any)."""
    campaigns = {"campaign": [name for _id, name in campaign_choices()]} if kind in ("customers", "deals") else {}
    if not campaigns.get("campaign"):
        campaigns = {}
    if kind == "customers":
        return {"type": [str(v) for v in CUSTOMER_TYPES.values()], "industry": [str(v) for v in INDUSTRIES.values()],
                "source": [str(v) for v in SOURCES.values()], **campaigns,
                "contact_role": [str(v) for v in CONTACT_ROLES.values()]}
    if kind == "contacts":
        return {"role": [str(v) for v in CONTACT_ROLES.values()], "primary": [_("Yes"), _("No")]}
    if kind == "deals":
        return {"stage": [str(stage_label(s)) for s in default_pipeline().stages if s.kind != "lost"], **campaigns}
    return {"type": [str(v) for v in TYPES.values()]}


def _note(field, kind):
    notes = {
        "customer_ref": _("The customer's ID in your old records (客户ID): deals and follow-ups imported later "
                          "find the customer by it."),
        "owner": _("Username or staff code; empty: you."),
        "tags": _("Several tags: separate them with commas."),
        "created_at": _("A date, for example 2023-01-15."),
        "expected_close": _("A date, for example 2023-06-30."),
        "occurred_at": _("A date and time, for example 2023-04-10 14:30."),
        "next_follow_up_at": _("A date and time, for example 2023-04-17 10:00."),
        "province": _("As in the national list (see the allowed values), e.g. 广东省."),
        "deal_ref": _("The deal's ID in your old records (机会ID)."),
        "phone": _("Required for the main contact."),
        "primary": _("Yes: this contact becomes the customer's main contact. Empty: no."),
        "campaign": _("The campaign's name, as its page shows it (capitals aside)."),
    }
    if kind == "deals":
        notes["campaign"] = _("The campaign's name, as its page shows it (capitals aside); empty: the customer's.")
    if kind != "customers":
        notes["customer_ref"] = _("The customer's ID in your old records (客户ID), its customer number or its name.")
    text = notes.get(field.key, "")
    if field.required:
        text = (_("Required.") + " " + text).strip()
    return text


def write_template(path, kind):
    book = spreadsheets.workbook(path, constant_memory=False)
    sheet = book.add_worksheet(str(SHEET_NAMES[kind]))
    values = book.add_worksheet(_("Allowed values"))
    plain = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    required = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1, "font_color": "#B42318"})
    text_cells = book.add_format({"num_format": "@"})
    lists = _lists(kind)
    list_columns = {}
    for index, (key, allowed) in enumerate(lists.items()):
        field = next(f for f in fields(kind) if f.key == key)
        values.write(0, index, str(field.label), plain)
        values.write_column(1, index, allowed)
        values.set_column(index, index, 18)
        list_columns[key] = (index, len(allowed))
    region_column = len(lists)
    if kind == "customers":
        values.write_row(0, region_column, [_("Province"), _("City"), _("District")], plain)
        row = 1
        for province in regions.provinces():
            for city in regions.cities(province):
                for district in regions.districts(province, city) or [""]:
                    values.write_row(row, region_column, [province, city, district])
                    row += 1
        values.set_column(region_column, region_column + 2, 16)
    for index, field in enumerate(fields(kind)):
        sheet.write(0, index, header(field), required if field.required else plain)
        as_text = field.key in ("contact_phone", "phone", "customer_ref")
        sheet.set_column(index, index, 18, text_cells if as_text else None)
        note = _note(field, kind)
        if note:
            sheet.write_comment(0, index, note)
        if field.key in list_columns:
            column, count = list_columns[field.key]
            letter = chr(65 + column)
            sheet.data_validation(1, index, TEMPLATE_ROWS, index, {
                "validate": "list", "source": f"='{values.name}'!${letter}$2:${letter}${count + 1}",
                "error_type": "warning"})
    sheet.freeze_panes(1, 0)
    book.close()
