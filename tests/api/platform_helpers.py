"""Shared by the platform API tests: a client of its own address, and companies owned by agency reps."""
from datetime import datetime

PLATFORM = "localhost"


def platform_clients(client_for):
    """``make()`` gives a new client on the platform host (each from an address of its own: tests/conftest.py)."""
    return lambda: client_for(PLATFORM)


def owned_company(make_tenant, platform, rep, **values):
    """An open company (trial) held by ``rep`` (a factory Person), with its admin (``ADMIN_PASSWORD``)."""
    tenant = make_tenant("pl")
    platform.set_tenant(tenant.id, agency_id=rep.agency_id, rep_id=rep.id, rep_code=rep.code, **values)
    return tenant


def pending(**values):
    """The columns of a company waiting for approval."""
    return {"status": "pending", "approved_at": None, "expires_at": None, "paid": False, **values}


def when(text):
    return datetime.fromisoformat(text)
