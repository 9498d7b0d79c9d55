"""The list envelope of API.md, for every list: ``?page=&per_page=`` gives ``{"items", "total", "page", "per_page"}``.

Services page their own statements where paging needs care (the customer
search sorts among collected ids, the change log reads newest first) and
hand back ``(rows, total)``; everything else pages a statement here. Either
way ``page`` shapes the answer, so every list reads the same.
"""
import marshmallow as ma
from marshmallow import fields, post_load, validate
from sqlalchemy import func, select

from crm_saas.api.schemas import InputSchema
from crm_saas.core.queries import MAX_PAGE
from crm_saas.extensions import db

MAX_PER_PAGE = 200


class PageArgs(InputSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(
        load_default=50, validate=validate.Range(min=1),
        metadata={"description": f"At most {MAX_PER_PAGE}; larger values are lowered to it."},
    )

    @post_load
    def cap_per_page(self, data, **kwargs):
        data["per_page"] = min(data["per_page"], MAX_PER_PAGE)
        return data


def page_schema(item_schema, name):
    """The envelope's schema for ``item_schema`` (also what the OpenAPI document shows)."""
    return ma.Schema.from_dict({
        "items": fields.List(fields.Nested(item_schema)),
        "total": fields.Integer(), "page": fields.Integer(), "per_page": fields.Integer(),
    }, name=name)


def page(items, total, args):
    """The envelope for one page of ``items`` out of ``total``, at ``args``' page."""
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


def page_of(stmt, order, args):
    """``stmt`` in ``order``, counted and cut at ``args``' page."""
    per_page = args["per_page"]
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    items = db.session.scalars(stmt.order_by(*order).limit(per_page).offset((args["page"] - 1) * per_page)).all()
    return page(items, total, args)
