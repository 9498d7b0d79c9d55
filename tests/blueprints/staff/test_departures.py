"""A departure (B3) is one transaction: records, subordinates, sessions and tokens, or nothing."""
import pytest
from sqlalchemy import select, text

from tests.api_client import ApiClient, get_token
from tests.conftest import STAFF_PASSWORD, login


@pytest.fixture
def team(tenant, factory):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    leaver = factory.user(tenant, "leaver", role="supervisor", superior_id=boss)
    junior = factory.user(tenant, "junior", superior_id=leaver)
    heir = factory.user(tenant, "heir", superior_id=boss)
    customers = [factory.customer(tenant, leaver, name=f"离职客户{i}", phone=f"1380000000{i}") for i in range(3)]
    deal = factory.deal(tenant, customers[0], leaver)
    return {"admin": admin, "boss": boss, "leaver": leaver, "junior": junior, "heir": heir,
            "customers": customers, "deal": deal}


def _state(factory, tenant, team):
    from crm_saas.blueprints.customers.models import Customer
    from crm_saas.blueprints.pipeline.models import Deal
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def read():
        return {
            "customer_owners": set(db.session.scalars(select(Customer.owner_id).where(
                Customer.id.in_(team["customers"])))),
            "deal_owner": db.session.get(Deal, team["deal"]).owner_id,
            "junior_superior": db.session.get(User, team["junior"]).superior_id,
            "leaver_active": db.session.get(User, team["leaver"]).active,
        }

    return factory._run(tenant, read)


def _deactivate(factory, tenant, team):
    from crm_saas.blueprints.staff.services.departures import deactivate_staff
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    def run():
        return deactivate_staff(db.session.get(User, team["leaver"]), team["heir"],
                                actor=db.session.get(User, team["admin"]))

    return factory._run(tenant, run)


def test_a_failure_midway_moves_nothing(tenant, team, factory, client_for):
    web = client_for(tenant)
    assert login(web, "leaver", STAFF_PASSWORD).status_code == 302
    api = ApiClient(client_for(tenant), get_token(client_for(tenant), "leaver", STAFF_PASSWORD))
    before = _state(factory, tenant, team)

    # The customers are handed over first; then the database refuses to touch deals.
    from crm_saas.extensions import db

    def break_deals():
        schema = tenant.schema_name
        db.session.execute(text(f"""
            CREATE FUNCTION "{schema}".refuse() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'deals are read-only today'; END $$;
            CREATE TRIGGER refuse BEFORE UPDATE ON "{schema}".deals FOR EACH ROW EXECUTE FUNCTION "{schema}".refuse();
        """))
        db.session.commit()

    factory._run(tenant, break_deals)
    with pytest.raises(Exception, match="read-only today"):
        _deactivate(factory, tenant, team)

    assert _state(factory, tenant, team) == before
    assert before["customer_owners"] == {team["leaver"]} and before["leaver_active"]
    assert web.get("/customers/").status_code == 200  # still logged in
    assert api.get("/me").status_code == 200  # token still good


def test_departure_hands_everything_over_and_closes_every_door(tenant, team, factory, client_for):
    web = client_for(tenant)
    assert login(web, "leaver", STAFF_PASSWORD).status_code == 302
    api = ApiClient(client_for(tenant), get_token(client_for(tenant), "leaver", STAFF_PASSWORD))

    moved = _deactivate(factory, tenant, team)

    assert moved == {"customers": 3, "deals": 1, "tasks": 0, "subordinates": 1, "service_requests": 0, "campaigns": 0, "segments": 0}
    assert _state(factory, tenant, team) == {
        "customer_owners": {team["heir"]}, "deal_owner": team["heir"],
        "junior_superior": team["boss"], "leaver_active": False,
    }
    assert web.get("/customers/").status_code == 302  # the session died with the account
    assert api.get("/me").status_code == 401
    refused = login(client_for(tenant), "leaver", STAFF_PASSWORD)
    assert refused.status_code == 401 and "This account has been disabled." in refused.text

    heir = client_for(tenant)
    login(heir, "heir", STAFF_PASSWORD)
    assert "离职客户0" in heir.get("/customers/").text


def test_history_keeps_the_departed_name(tenant, team, factory, client_for):
    """The deal's stage history and the operation log still name the person who left."""
    from crm_saas.core.audit import OperationLog
    from crm_saas.extensions import db

    _deactivate(factory, tenant, team)
    entry = factory._run(tenant, lambda: db.session.scalars(
        select(OperationLog).where(OperationLog.action == "staff_deactivated")).one())
    assert entry.target_label == "Leaver (leaver)"
    assert entry.details["moved"] == {"customers": 3, "deals": 1, "tasks": 0, "service_requests": 0, "campaigns": 0, "segments": 0}
