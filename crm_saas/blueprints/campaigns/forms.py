"""What the campaign and segment forms post, read into the API's shape so the same services judge both."""

CAMPAIGN_TEXT = ("name", "channel", "starts_on", "ends_on", "budget", "cost", "status", "description")


def campaign_data(form):
    """The campaign form as the API's body; an empty owner means "me" on a new campaign."""
    data = {key: form.get(key, "").strip() for key in CAMPAIGN_TEXT if key in form}
    owner = form.get("owner_id", "").strip()
    data["owner_id"] = int(owner) if owner.isdigit() else None
    return data


def segment_data(form, *, builtin):
    """The segment form (name, shared; the ready-made one's days) as the API's body."""
    data = {"name": form.get("name", "")}
    if builtin:
        data["filters"] = {"days": form.get("days", "").strip()}
    else:
        data["shared"] = form.get("shared") == "y"
    return data
