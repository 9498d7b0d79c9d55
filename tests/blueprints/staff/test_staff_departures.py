"""Departed staff (B3): one action hands everything over, moves their people up and locks them out."""
from tests.api_client import API, get_token
from tests.blueprints.staff.test_staff_tree import read_tree
from tests.conftest import STAFF_PASSWORD, login


def team(tenant, factory):
    """admin > boss > leaving > (junior1, junior2); leaving owns customers and a deal; heir is elsewhere."""
    admin = factory.admin_id(tenant)
    ids = {"admin": admin}
    ids["boss"] = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    ids["leaving"] = factory.user(tenant, "leaving", role="supervisor", superior_id=ids["boss"])
    ids["junior1"] = factory.user(tenant, "junior1", superior_id=ids["leaving"])
    ids["junior2"] = factory.user(tenant, "junior2", superior_id=ids["leaving"])
    ids["heir"] = factory.user(tenant, "heir", superior_id=admin)
    first = factory.customer(tenant, ids["leaving"], name="甲公司", phone="13800000001")
    factory.customer(tenant, ids["leaving"], name="乙公司", phone="13800000002")
    factory.deal(tenant, first, ids["leaving"], name="大单")
    return ids


def test_confirm_page_says_what_will_move(tenant, admin_client, factory):
    ids = team(tenant, factory)
    page = admin_client.get(f"/staff/{ids['leaving']}/deactivate")
    assert page.status_code == 200
    assert "2 customers and 1 deal go to the colleague you choose below." in page.text
    assert "2 people who report to them will report to Boss." in page.text
    assert f'<option selected value="{ids["boss"]}">' in page.text  # their superior, by default
    assert f'value="{ids["leaving"]}"' not in page.text


def test_deactivation_hands_over_and_moves_people_up(tenant, admin_client, client_for, factory):
    ids = team(tenant, factory)
    done = admin_client.post(f"/staff/{ids['leaving']}/deactivate", data={"handover_to_id": ids["heir"]})
    assert done.status_code == 302 and done.location.endswith("/staff/")
    listing = admin_client.get("/staff/").text
    assert ("Leaving deactivated: 2 customers and 1 deal handed to Heir. 2 people now report to Boss."
            in listing)
    assert "Departed" in listing and "Reactivate" in listing

    heir = client_for(tenant)
    login(heir, "heir", STAFF_PASSWORD)
    customers = heir.get("/customers/").text
    assert "甲公司" in customers and "乙公司" in customers
    assert "大单" in heir.get("/board").text

    parents = read_tree(admin_client.get("/staff/tree").text).parents
    assert parents["junior1"] == "boss" and parents["junior2"] == "boss" and "leaving" not in parents


def test_the_departed_are_logged_out_and_their_token_stops_working(tenant, admin_client, client_for, factory):
    ids = team(tenant, factory)
    browser = client_for(tenant)
    login(browser, "leaving", STAFF_PASSWORD)
    assert browser.get("/customers/").status_code == 200
    api = client_for(tenant)
    token = get_token(api, "leaving", STAFF_PASSWORD)
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get(f"{API}/me", headers=bearer).status_code == 200

    admin_client.post(f"/staff/{ids['leaving']}/deactivate", data={"handover_to_id": ids["heir"]})

    out = browser.get("/customers/")
    assert out.status_code == 302 and "/login" in out.location
    assert api.get(f"{API}/me", headers=bearer).status_code == 401
    assert login(client_for(tenant), "leaving", STAFF_PASSWORD).status_code == 401


def test_a_bad_handover_is_refused_and_nothing_moves(tenant, admin_client, factory):
    ids = team(tenant, factory)
    refused = admin_client.post(f"/staff/{ids['leaving']}/deactivate", data={"handover_to_id": ids["leaving"]})
    assert refused.status_code == 422
    assert "Choose an active colleague to take over the records." in refused.text
    assert "2 customers and 1 deal go to" in admin_client.get(f"/staff/{ids['leaving']}/deactivate").text


def test_nobody_deactivates_themselves(tenant, admin_client, factory):
    ids = team(tenant, factory)
    assert f"/staff/{ids['admin']}/deactivate" not in admin_client.get("/staff/").text
    refused = admin_client.post(f"/staff/{ids['admin']}/deactivate", data={"handover_to_id": ids["boss"]})
    assert refused.status_code == 422 and "You cannot deactivate yourself." in refused.text


def test_reactivation_lets_them_back_in_with_nothing(tenant, admin_client, client_for, factory):
    ids = team(tenant, factory)
    admin_client.post(f"/staff/{ids['leaving']}/deactivate", data={"handover_to_id": ids["heir"]})
    back = admin_client.post(f"/staff/{ids['leaving']}/reactivate")
    assert back.status_code == 302
    assert "Leaving can log in again." in admin_client.get("/staff/").text
    client = client_for(tenant)
    assert login(client, "leaving", STAFF_PASSWORD).status_code == 302
    assert "甲公司" not in client.get("/customers/").text
