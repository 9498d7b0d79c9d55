"""Issue 14.10: a company's users never reach a platform page, and platform accounts never a company's.

Every route of the app is walked: each one a blueprint declares for company hosts answers 404 on the
platform host, to a signed-in operator with a platform token; each one declared for the platform host
answers 404 on a company host, to its signed-in administrator with a company token.
"""
import re

from tests.api_client import get_token
from tests.conftest import ADMIN_PASSWORD, login


def _path(rule):
    path = rule.rule
    for name, converter in rule._converters.items():
        value = "customers" if type(converter).__name__ == "AnyConverter" else "1"
        path = re.sub(rf"<(?:[^<>:]+:)?{name}>", value, path)
    return path


def _scope(app, rule):
    from crm_saas.tenants.resolve import _scopes

    blueprint = app.view_functions[rule.endpoint]
    name = rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else None
    return _scopes.get(name), blueprint


def test_every_route_is_404_on_the_other_kind_of_host(app, tenant, platform, platform_client, client_for):
    from crm_saas.tenants.resolve import PLATFORM_SCOPE, TENANT_SCOPE

    operator = platform.operator()
    platform.sign_in(platform_client, operator)
    platform_bearer = {"Authorization": f"Bearer {platform.api(client_for('localhost'), operator).token}"}
    company = client_for(tenant)
    assert login(company, "admin", ADMIN_PASSWORD).status_code == 302
    company_bearer = {"Authorization": f"Bearer {get_token(client_for(tenant), 'admin', ADMIN_PASSWORD)}"}

    walked = {TENANT_SCOPE: 0, PLATFORM_SCOPE: 0}
    leaks = []
    for rule in app.url_map.iter_rules():
        scope, _view = _scope(app, rule)
        if scope is None or rule.rule.endswith("/logout"):
            continue
        client, headers = (platform_client, platform_bearer) if scope == TENANT_SCOPE else (company, company_bearer)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_path(rule), method=method, headers=headers, json={} if method != "GET" else None)
            walked[scope] += 1
            if response.status_code != 404:
                leaks.append((scope, method, rule.rule, response.status_code))
    assert walked[TENANT_SCOPE] > 100 and walked[PLATFORM_SCOPE] > 5, walked
    assert not leaks, "\n".join(map(str, leaks))
    # Both sessions still work on their own hosts: the walk did not just sign everyone out.
    assert platform_client.get("/console/companies").status_code == 200
    assert company.get("/customers/").status_code == 200
