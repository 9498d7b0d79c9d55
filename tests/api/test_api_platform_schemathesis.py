"""Schemathesis drives the platform's operations on the platform host (tests/security walks them on a company
host, where each is a 404): no server error, and every answer as the document describes it.

Writes run as the admin of an agency of their own (whatever the generated input does stays in that agency);
the operator, who sees every company of the worker's shared public schema, only reads.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from tests.api.platform_helpers import PLATFORM, owned_company

EXAMPLES = 25
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def platform_operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted((op for op in operations if "/platform/" in op.path and op.label != "DELETE /api/v1/platform/auth/token"),
                  key=lambda op: op.label)


def walk(operations, headers):
    """``(failures, statuses)``: what broke, and how often each status answered (the walk reached the views)."""
    failures, statuses = [], {}
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def examples(case):
            status = case.call_and_validate(headers=headers, checks=CHECKS).status_code
            statuses[status] = statuses.get(status, 0) + 1

        try:
            examples()
        except BaseException as exc:  # noqa: BLE001  (every operation is tried; all failures reported together)
            failures.append(f"{operation.label}: {type(exc).__name__}: {str(exc)[:1500]}")
    return failures, statuses


def bearer(platform, client_for, person):
    return {"Host": PLATFORM, "Authorization": f"Bearer {platform.api(client_for(PLATFORM), person).token}"}


@pytest.mark.parametrize("half", range(2))
def test_agency_admins_calls_as_the_document_says(app, platform, client_for, make_tenant, half):
    agency_id, _prefix = platform.agency()
    admin = platform.person(agency_id, role="admin")
    owned_company(make_tenant, platform, platform.person(agency_id, superior_id=admin.id))
    operations = platform_operations(app)
    assert len(operations) > 25
    failures, statuses = walk(operations[half::2], bearer(platform, client_for, admin))
    assert not failures, "\n\n".join(failures)
    assert statuses.get(200, 0) > 10 and statuses.get(422, 0) > 5 and statuses.get(404, 0) > 20, statuses


def test_the_operators_reads_as_the_document_says(app, platform, client_for):
    reads = [op for op in platform_operations(app) if op.method.upper() == "GET"]
    failures, statuses = walk(reads, bearer(platform, client_for, platform.operator()))
    assert not failures, "\n\n".join(failures)
    assert statuses.get(200, 0) > 20, statuses
