"""One error format for the whole API (API.md "Errors").

Field problems answer ``{"errors": {"field": ["message", ...]}}`` with flat,
dotted names (``contacts.0.phone``) whether they come from a schema, a
service's rules, or both; everything else answers ``{"message": "..."}``.
flask-smorest's own handler covers every ``HTTPException`` of the app, which
would turn the web pages' 404s into JSON too: this one answers JSON under
the API prefix only and leaves the pages to Flask.
"""
from flask import jsonify
from flask_babel import lazy_gettext as _l
from flask_smorest import abort as smorest_abort

from crm_saas.core.errors import Conflict
from crm_saas.core.requests import is_api_request
from crm_saas.core.views import error_page

MESSAGES = {
    400: _l("The request could not be read: send a JSON body."),
    401: _l("Authentication required: send a valid bearer token."),
    403: _l("This action is not allowed."),
    404: _l("Not found."),
    405: _l("This method is not allowed here."),
    409: _l("This conflicts with existing records."),
    413: _l("The request is too large."),
    415: _l("Send JSON (Content-Type: application/json)."),
    422: _l("Some fields are invalid."),
    429: _l("Too many attempts: wait a while and try again."),
    500: _l("Something went wrong on our side."),
}


def api_abort(code, message=None, *, errors=None, headers=None, **extra):
    """Stop the request with an API error; ``extra`` goes into the body (e.g. the ids of a conflict)."""
    kwargs = {"extra": extra}
    if message is not None:
        kwargs["message"] = str(message)
    if errors:
        kwargs["errors"] = errors
    if headers:
        kwargs["headers"] = headers
    smorest_abort(code, **kwargs)


def flatten(errors, prefix=""):
    """``{"contacts": {0: {"phone": [..]}}}`` -> ``{"contacts.0.phone": [..]}``, merging repeats."""
    flat = {}
    for key, value in (errors or {}).items():
        name = (prefix.rstrip(".") or "body") if key == "_schema" else f"{prefix}{key}"
        if isinstance(value, dict):
            for sub, messages in flatten(value, f"{name}.").items():
                flat.setdefault(sub, []).extend(messages)
        else:
            messages = value if isinstance(value, (list, tuple)) else [value]
            flat.setdefault(name, []).extend(str(m) for m in messages)
    return flat


def _field_errors(data):
    """Errors given by our code, or by webargs per location (``{"json": {...}, "query": {...}}``)."""
    if data.get("errors"):
        return flatten(data["errors"])
    flat = {}
    for location_errors in (data.get("messages") or {}).values():
        if isinstance(location_errors, dict):
            for name, messages in flatten(location_errors).items():
                flat.setdefault(name, []).extend(messages)
    return flat


def handle_field_errors(error):
    """A service's refusal (``FieldErrors``, raised by any rule of any feature) as API.md's 422 (409 for a conflict).

    Registered on every API blueprint (``api_blueprint``): resource modules
    call services and let refusals through, so no view repeats the mapping.
    """
    if isinstance(error, Conflict):
        return _json(409, {"errors": flatten(error.errors), **error.extra})
    return _json(422, {"errors": flatten(error.errors)})


def handle_http_exception(error):
    if not is_api_request():
        return error_page(error)
    data = getattr(error, "data", None) or {}
    errors = _field_errors(data) if error.code != 400 else {}
    if errors:
        body = {"errors": errors}
    else:
        body = {"message": str(data.get("message") or MESSAGES.get(error.code) or error.description)}
    body.update(data.get("extra") or {})
    response = _json(error.code, body)
    for name, value in error.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value  # e.g. Allow on a 405
    response.headers.update(data.get("headers") or {})
    return response


def _json(status, body):
    response = jsonify(body)
    response.status_code = status
    return response
