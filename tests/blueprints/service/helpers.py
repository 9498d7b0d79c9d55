"""Setting scenes for the service tests: a 客服 role and its people, requests filed and moved through the services,
their stored state. (The service settings, report and reminder tests may use these too.)"""
from tests.conftest import STAFF_PASSWORD, login

DESK_RIGHTS = ("service", "service_desk")


def add_role(factory, tenant, key="kefu", name="客服", rights=DESK_RIGHTS):
    """A custom role (B4) holding ``rights``, as an admin would add it."""
    from crm_saas.core.roles import Role
    from crm_saas.extensions import db

    def make():
        db.session.add(Role(key=key, name=name, rights=list(rights), built_in=False))
        db.session.commit()

    factory._run(tenant, make)
    return key


def service_team(factory, tenant):
    """admin > boss (supervisor) > rep, the customers' owner; admin > boss2 > outsider, another branch;
    admin > desk (a 客服 role: service and the service desk, no customers). Returns their ids."""
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    boss2 = factory.user(tenant, "boss2", role="supervisor", superior_id=admin)
    role = add_role(factory, tenant)
    return {"admin": admin, "boss": boss, "rep": factory.user(tenant, "rep", superior_id=boss),
            "boss2": boss2, "outsider": factory.user(tenant, "outsider", superior_id=boss2),
            "desk": factory.user(tenant, "desk", role=role, superior_id=admin)}


def logged_in(client_for, tenant, username):
    client = client_for(tenant)
    assert login(client, username, STAFF_PASSWORD).status_code == 302
    return client


def file_request(factory, tenant, actor_id, customer_id, **data):
    """A request filed through the service as ``actor_id``; its id."""
    from crm_saas.blueprints.service.services.requests import create_request
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    values = {"customer_id": customer_id, "type": "complaint", "description": "产品无法开机", **data}
    return factory._run(tenant, lambda: create_request(values, actor=db.session.get(User, actor_id)).id)


def move(factory, tenant, request_id, actor_id, status, **extra):
    """Move a request along its flow through the service, as ``actor_id``."""
    from crm_saas.blueprints.service.models import ServiceRequest
    from crm_saas.blueprints.service.services.flow import transition
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def run():
        transition(db.session.get(ServiceRequest, request_id), status, actor=db.session.get(User, actor_id), **extra)

    factory._run(tenant, run)


def stored(factory, tenant, request_id):
    """The request's stored columns, as a dict."""
    from crm_saas.blueprints.service.models import ServiceRequest
    from crm_saas.extensions import db

    def read():
        req = db.session.get(ServiceRequest, request_id)
        return {column.key: getattr(req, column.key) for column in ServiceRequest.__table__.columns}

    return factory._run(tenant, read)


def set_request(factory, tenant, request_id, **values):
    """Set stored fields of a request directly (a past due time) to set a scene."""
    from crm_saas.blueprints.service.models import ServiceRequest
    from crm_saas.extensions import db

    def update():
        req = db.session.get(ServiceRequest, request_id)
        for key, value in values.items():
            setattr(req, key, value)
        db.session.commit()

    factory._run(tenant, update)
