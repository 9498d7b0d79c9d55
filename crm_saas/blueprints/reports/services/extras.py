"""A report's own filters beside the scope's (``days`` of the forgotten customers, the funnel's ``pipeline_id``).

The scope (scope.py) reads what every figure shares; a report that needs
one more argument declares it in ``Report.extras`` and reads it from
``scope.extra``. ``read_report_scope`` reads both in one go, so the page,
the API and an export refuse a bad value with the same words, all bad
arguments named in one ``FieldErrors``.
"""
from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l

from crm_saas.blueprints.pipeline.services import get_pipeline, list_pipelines
from crm_saas.blueprints.reports.services.scope import read_scope
from crm_saas.core.errors import FieldErrors


@dataclass(frozen=True)
class Extra:
    name: str
    label: object  # a lazy string
    description: object  # a lazy string, for the API's document
    read: object  # read(raw text or None) -> value; raises ValueError with the message to show
    kind: str = "int"  # how the API documents it
    default: object = None
    choices: object = None  # choices() -> [(value, label)] for a list to pick from; None: a number to type


def _days(raw):
    if raw in (None, ""):
        return DEFAULT_DAYS
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if not 1 <= value <= 3650:
        raise ValueError(_l("Enter a whole number of days from 1 to 3650."))
    return value


def _pipeline(raw):
    """A pipeline's id (None: the default pipeline); one that does not exist is refused, not silently ignored."""
    if raw in (None, ""):
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if value <= 0 or value > 2**63 - 1 or get_pipeline(value) is None:
        raise ValueError(_l("Choose a pipeline from the list."))
    return value


DEFAULT_DAYS = 30
DAYS = Extra("days", _l("Not contacted for (days)"),
             _l("Forgotten customers: owned customers without a follow-up for this many days (default 30)."),
             _days, default=DEFAULT_DAYS)


def _pipelines():
    return [(pipeline.id, pipeline.name) for pipeline in list_pipelines()]


PIPELINE = Extra("pipeline_id", _l("Pipeline"), _l("The pipeline whose stages are counted (default: the default "
                                                     "pipeline)."), _pipeline, choices=_pipelines)


def read_extras(report, args):
    """``{name: value}`` of ``report``'s extras from ``args``; ``FieldErrors`` naming each bad one."""
    values, errors = {}, {}
    for extra in report.extras:
        try:
            values[extra.name] = extra.read(args.get(extra.name))
        except ValueError as err:
            errors[extra.name] = [err.args[0]]
    if errors:
        raise FieldErrors(errors)
    return values


def read_report_scope(user, report, args):
    """The scope of ``report`` for ``user`` from ``args``: the shared filters and the report's own, every bad
    argument named at once."""
    errors, scope, extra = {}, None, {}
    try:
        scope = read_scope(user, args)
    except FieldErrors as err:
        errors.update(err.errors)
    try:
        extra = read_extras(report, args)
    except FieldErrors as err:
        errors.update(err.errors)
    if errors:
        raise FieldErrors(errors)
    return replace(scope, extra=extra)


def extra_args(scope):
    """The report's own arguments as query arguments (links keep them beside ``scope.args()``)."""
    return {key: value for key, value in scope.extra.items() if value not in (None, "")}
