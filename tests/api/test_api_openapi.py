"""The OpenAPI document describes what the API serves, including how to authenticate."""


def test_openapi_lists_the_paths_and_the_bearer_scheme(client_for, tenant):
    response = client_for(tenant).get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    expected = {
        "/api/v1/auth/token": {"post", "delete"}, "/api/v1/me": {"get"}, "/api/v1/me/password": {"post"},
        "/api/v1/customers": {"get", "post"}, "/api/v1/customers/{customer_id}": {"get"},
        "/api/v1/pipelines": {"get"}, "/api/v1/pipelines/{pipeline_id}/board": {"get"},
        "/api/v1/deals": {"post"}, "/api/v1/deals/{deal_id}/move": {"post"},
        "/api/v1/exports": {"post"}, "/api/v1/exports/{export_id}": {"get"},
        "/api/v1/exports/{export_id}/download": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert spec["security"] == [{"bearerAuth": []}]
    assert paths["/api/v1/auth/token"]["post"]["security"] == []  # getting a token needs none
    customer = spec["components"]["schemas"]["Customer"]["properties"]
    assert {"number", "contacts", "custom", "tags", "owner_id"} <= set(customer)
