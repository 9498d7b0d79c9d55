"""htmx runs without eval (allowEval false; the CSP allows no inline script), so an hx-trigger filter such as
``activity-added[detail.deal_id==7]`` is never evaluated: htmx reports ``evalDisallowedError`` and treats the
filter as passed, and every card on the board refreshed for every follow-up. Records name their own events."""
import re
from pathlib import Path

import crm_saas

TEMPLATES = Path(crm_saas.__file__).parent / "templates"


def test_no_template_filters_an_hx_trigger():
    found = []
    for template in TEMPLATES.rglob("*.html"):
        for trigger in re.findall(r'hx-trigger="([^"]*)"', template.read_text(encoding="utf-8")):
            for part in trigger.split(","):
                event = part.strip().split(" ")[0]
                if "[" in event:
                    found.append(f"{template.relative_to(TEMPLATES)}: {part.strip()}")
    assert found == []


def test_a_favicon_is_declared_and_served(client_for, tenant):
    client = client_for(tenant)
    login_page = client.get("/login").text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in login_page
    assert client.get("/static/favicon.svg").status_code == 200
    old_path = client.get("/favicon.ico")
    assert old_path.status_code == 301 and old_path.headers["Location"].endswith("/static/favicon.svg")
