"""What every feature's forms share: a service's refusal shown beside its fields, and the required mark."""


class Required:
    """Marks a field as required (the ``*`` beside its label); the check itself is in the shared rules.

    For forms whose rules live in a service (one set for the form and the
    API): WTForms' own ``DataRequired`` would judge the field a second time.
    """

    field_flags = {"required": True}

    def __call__(self, form, field):
        return None


def apply_errors(form, errors, aliases=None):
    """Put a service's ``{field: [messages]}`` onto the form's fields; returns the messages no field owns."""
    leftover = []
    for key, messages in errors.items():
        name = (aliases or {}).get(key, key)
        if name in form:
            form[name].errors = list(form[name].errors) + [str(m) for m in messages]
        else:
            leftover.extend(str(m) for m in messages)
    return leftover


def has_errors(form, leftover=()):
    return bool(leftover) or any(f.errors for f in form)
