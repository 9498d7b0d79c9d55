"""The one OpenAPI document describes the platform's operations too, with their own bearer scheme."""

PLATFORM_PATHS = {
    "/api/v1/platform/auth/token": {"post", "delete"},
    "/api/v1/platform/me": {"get"},
    "/api/v1/platform/me/password": {"post"},
    "/api/v1/platform/tenants": {"get", "post"},
    "/api/v1/platform/tenants/{tenant_id}": {"get"},
    **{f"/api/v1/platform/tenants/{{tenant_id}}/{action}": {"post"} for action in (
        "approve", "reject", "extend", "suspend", "reactivate", "rename", "reset-admin-password", "assign")},
    "/api/v1/platform/tenants/{tenant_id}/contacts": {"get", "post"},
    "/api/v1/platform/agencies": {"get", "post"},
    "/api/v1/platform/agencies/{agency_id}": {"get", "patch"},
    "/api/v1/platform/staff": {"get", "post"},
    "/api/v1/platform/staff/{staff_id}": {"get", "patch"},
    "/api/v1/platform/staff/{staff_id}/deactivate": {"post"},
    "/api/v1/platform/extension-requests": {"get", "post"},
    "/api/v1/platform/extension-requests/{request_id}/approve": {"post"},
    "/api/v1/platform/extension-requests/{request_id}/reject": {"post"},
}


def test_every_platform_operation_is_documented_with_the_platform_scheme(platform_client):
    spec = platform_client.get("/api/v1/openapi.json").get_json()
    scheme = spec["components"]["securitySchemes"]["platformBearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "platform host only" in scheme["description"]
    documented = {path: set(ops) - {"parameters"} for path, ops in spec["paths"].items() if "/platform/" in path}
    assert documented == PLATFORM_PATHS
    for path, methods in PLATFORM_PATHS.items():
        for method in methods:
            operation = spec["paths"][path][method]
            assert operation["summary"], (method, path)
            expected = [] if (path, method) == ("/api/v1/platform/auth/token", "post") else [{"platformBearer": []}]
            assert operation["security"] == expected, (method, path)
            assert "404" in operation["responses"], (method, path)  # every one answers 404 on a company host
            if expected:
                assert "401" in operation["responses"], (method, path)
    tenant = spec["components"]["schemas"]["PlatformTenant"]["properties"]
    assert {"id", "slug", "name", "status", "ends_at", "agency_id", "rep_id", "rep_code", "users", "customers",
            "last_activity_at", "online_users", "created_at"} <= set(tenant)
    staff = spec["components"]["schemas"]["PlatformAccount"]["properties"]
    assert {"id", "agency_id", "code", "username", "name", "phone", "role", "superior_id", "active"} <= set(staff)
    assert not {"password", "password_hash", "totp_secret"} & set(staff)
