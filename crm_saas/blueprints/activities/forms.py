"""The follow-up form and the add-task form: what they show, and what they post in the API's shape.

No WTForms here: the forms post the API's field names and the services
judge them (one set of rules, one set of messages); this only holds the
values typed and the messages to show beside them.
"""
from dataclasses import dataclass, field

from flask import url_for

from crm_saas.blueprints.activities.services import FIELDS, customer_deal_options
from crm_saas.blueprints.activities.services.times import local_input, local_now

TASK_FIELDS = ("title", "due_at", "customer_id")


@dataclass
class ActivityForm:
    """A follow-up form on a customer (``subject`` "customer") or a deal ("deal"), new or editing ``activity``."""

    customer: object
    subject: str = "customer"
    deal: object = None
    activity: object = None
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    message: str | None = None
    deals: list = field(default_factory=list)
    back_url: str | None = None  # where "Cancel" on an edit goes (the timeline it sits in)

    @property
    def dom_id(self):
        if self.activity is not None:
            return f"activity-form-edit-{self.activity.id}"
        record = self.deal if self.subject == "deal" and self.deal is not None else self.customer
        return f"activity-form-{self.subject}-{record.id}"

    @property
    def action(self):
        if self.activity is not None:
            return url_for("activities.update", activity_id=self.activity.id)
        return url_for("activities.create")

    def value(self, name):
        value = self.values.get(name)
        return "" if value is None else value


def blank_form(user, customer, deal=None, subject="customer", message=None):
    """A new follow-up: a call, now, on ``deal`` if given."""
    values = {"type": "call", "occurred_at": local_input(local_now()), "deal_id": deal.id if deal else ""}
    deals = customer_deal_options(user, customer) if subject == "customer" else []
    return ActivityForm(customer, subject, deal, values=values, deals=deals, message=message)


def edit_form(user, activity, back_url=None):
    values = {name: getattr(activity, name) for name in FIELDS}
    values.update(occurred_at=local_input(activity.occurred_at),
                  next_follow_up_at=local_input(activity.next_follow_up_at), deal_id=activity.deal_id or "")
    return ActivityForm(activity.customer, "customer", activity.deal, activity, values,
                        deals=customer_deal_options(user, activity.customer), back_url=back_url)


def posted(form):
    """The posted follow-up in the API's shape (blank inputs are left out or None, as the API takes them)."""
    return {name: form.get(name) for name in FIELDS}


def posted_task(form):
    return {name: form.get(name) or None for name in TASK_FIELDS}
