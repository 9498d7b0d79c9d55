"""Issue 11.7: every route, web and API, refuses what no field can hold (NUL bytes, integers past 64 bits,
values of the wrong JSON type) with a 4xx, never a 5xx."""
import re

import pytest

from tests.api_client import get_token
from tests.conftest import ADMIN_PASSWORD, login

HUGE = "99999999999999999999"
NUL = "a\x00b"
# Keys the app's forms and JSON bodies use, each given a value of the wrong kind.
KEYS = ("name", "type", "title", "q", "customer_id", "deal_id", "stage_id", "owner_id", "to", "reason", "amount",
        "occurred_at", "due_at", "contacts", "tags", "custom", "products", "username", "password", "old", "new",
        "label", "entity", "options", "kind", "filters", "position", "version", "lost_reason", "handover_to",
        "superior_id", "role", "done", "assignee_id", "summary", "ids", "page", "per_page", "sort", "lang", "next")
BODIES = (
    {key: {} for key in KEYS}, {key: [] for key in KEYS}, {key: NUL for key in KEYS}, {key: int(HUGE) for key in KEYS},
    {key: 10**30 for key in KEYS}, {f"{NUL}": "x"}, [], "text", 12, None,
)


def urls(rule):
    """The rule filled with an id that exists (1), one past 64 bits, and a NUL where text goes."""
    found = set()
    for fill in ("1", HUGE, "a%00b"):
        path = rule.rule
        for name, converter in rule._converters.items():
            numeric = type(converter).__name__ in ("BigIntConverter", "IntegerConverter")
            value = fill if numeric or fill != HUGE else "x"
            value = "customers" if type(converter).__name__ == "AnyConverter" else value
            path = re.sub(rf"<(?:[^<>:]+:)?{name}>", value, path)
        found.add(path)
    return sorted(found)


@pytest.fixture
def clients(tenant, client_for):
    web = client_for(tenant)
    assert login(web, "admin", ADMIN_PASSWORD).status_code == 302
    token = get_token(client_for(tenant), "admin", ADMIN_PASSWORD)
    return web, client_for(tenant), {"Authorization": f"Bearer {token}"}


def test_no_route_answers_5xx_to_what_no_field_can_hold(app, tenant, factory, clients):
    factory.deal(tenant, factory.customer(tenant, factory.admin_id(tenant)), factory.admin_id(tenant))
    web, api, bearer = clients
    failures, statuses = [], {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.endswith(("/logout", "/auth/token")):
            continue  # (getting and dropping tokens is covered by the API tests; here it would end the walk)
        for path in urls(rule):
            is_api = path.startswith("/api/")
            client, headers = (api, bearer) if is_api else (web, {})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                sends = [dict(query_string={"q": NUL}), dict(query_string={"page": HUGE, "owner_id": HUGE}),
                         dict(query_string={"per_page": "-1", "page": "0", "q": "%", "sort": "x"})]
                if method in ("POST", "PATCH", "PUT", "DELETE"):
                    sends += [dict(json=body) for body in BODIES] if is_api else [
                        dict(data={key: NUL for key in KEYS}), dict(data={key: HUGE for key in KEYS})]
                for send in sends:
                    try:
                        response = client.open(path, method=method, headers=headers, **send)
                    except Exception as exc:  # the test app propagates what would be a 500
                        failures.append((method, path, str(send)[:80], f"{type(exc).__name__}: {exc}"[:160]))
                        continue
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    if response.status_code >= 500:
                        failures.append((method, path, str(send)[:80], response.status_code))
    assert statuses.get(200, 0) > 50 and statuses.get(422, 0) > 500, statuses  # the walk reached views and the edge
    assert not failures, "\n".join(map(str, failures[:40])) + f"\n({len(failures)} in all)"
