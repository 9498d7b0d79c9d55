"""Service requests (F1): their rules, numbering, due times, status flow, timeline and queue.

``checks`` judges input (the form and the API post the same names, so
they refuse the same things with the same words); ``requests`` creates and
edits a request and writes its timeline; ``flow`` moves it along its
statuses; ``queue`` lists requests for the queue, the API and a customer's
page; ``history`` is what a request's page shows around it. Every read
goes through ``visibility.visible_requests``: a request outside it is a 404.
"""
from crm_saas.core.errors import Conflict, FieldErrors


class ServiceError(FieldErrors):
    """A refused request or change: field name -> messages (422 in the API, beside the fields on a page)."""


class IllegalTransition(Conflict):
    """A status the request cannot go to from where it stands (the API answers 409 with the ``allowed`` ones)."""
