"""C1: numbers are generated on save, unique under concurrency, in the company's pattern and China's calendar."""
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.api_client import change_setting, valid_customer

THREADS = 8
EACH = 5


def test_concurrent_saves_get_unique_consecutive_numbers(app, tenant, factory):
    """Eight threads, each with its own connection, save 40 customers at once: 40 numbers, no gap, no repeat."""
    from crm_saas.blueprints.customers.services import create_customer
    from crm_saas.core.users import User
    from crm_saas.extensions import db
    from crm_saas.tenants.binding import tenant_context

    admin_id = factory.admin_id(tenant)
    start = threading.Barrier(THREADS)

    def save(n):
        numbers = []
        with app.app_context(), tenant_context(tenant.schema_name):
            actor = db.session.get(User, admin_id)
            start.wait()
            for i in range(EACH):
                data = valid_customer(name=f"并发客户{n}-{i}", contacts=[{"name": "张", "phone": f"139{n:04d}{i:04d}"}])
                numbers.append(create_customer(data, actor=actor).number)
            db.session.remove()
        return numbers

    with ThreadPoolExecutor(THREADS) as pool:
        numbers = [number for batch in pool.map(save, range(THREADS)) for number in batch]
    today = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d")
    assert all(re.fullmatch(rf"CRM{today}\d{{4}}", number) for number in numbers), numbers[:3]
    assert sorted(int(n[-4:]) for n in numbers) == list(range(1, THREADS * EACH + 1))


def test_the_pattern_is_a_company_setting(tenant, factory, admin_api, admin_client):
    change_setting(factory, tenant, "customer_number_pattern", lambda _old: "KH{YYYY}{MM}-{SEQ:5}")
    first = admin_api.post("/customers", json=valid_customer(name="甲")).get_json()["number"]
    second = admin_api.post("/customers", json=valid_customer(name="乙", contacts=[
        {"name": "乙", "phone": "13900000002"}])).get_json()["number"]
    month = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y%m")
    assert (first, second) == (f"KH{month}-00001", f"KH{month}-00002")


def test_the_settings_page_checks_the_pattern(tenant, admin_client):
    bad = admin_client.post("/settings/customers", data={"customer_number_pattern": "CRM{YYYY}",
                                                          "customer_categories": "", "recycle_bin_days": "30", "deal_rotting_days": "14"})
    assert bad.status_code == 422 and "Use exactly one serial token" in bad.text
    unknown = admin_client.post("/settings/customers", data={"customer_number_pattern": "C{WEEK}{SEQ:4}",
                                                              "customer_categories": "", "recycle_bin_days": "30", "deal_rotting_days": "14"})
    assert unknown.status_code == 422 and "Unknown token {WEEK}" in unknown.text
    good = admin_client.post("/settings/customers", data={"customer_number_pattern": "C-{YY}{SEQ:6}",
                                                           "customer_categories": "A 类\nB 类\nA 类",
                                                           "recycle_bin_days": "7", "deal_rotting_days": "3"})
    assert good.status_code == 200 and "Settings saved." in good.text
    page = admin_client.get("/settings/").text
    assert 'value="C-{YY}{SEQ:6}"' in page and "A 类\nB 类</textarea>" in page
    assert 'name="deal_rotting_days" required type="number" value="3"' in page


def test_numbers_cannot_be_changed(admin_api):
    created = admin_api.post("/customers", json=valid_customer()).get_json()
    for change in ({"number": "CRM000"}, {"created_at": "2020-01-01T00:00:00+08:00"}):
        refused = admin_api.patch(f"/customers/{created['id']}", json=change)
        assert refused.status_code == 422 and list(refused.get_json()["errors"]) == list(change), refused.get_json()
    sent_back = admin_api.patch(f"/customers/{created['id']}", json={
        "number": created["number"], "created_at": created["created_at"], "remarks": "回写读到的值"})
    assert sent_back.status_code == 200, sent_back.get_json()
    after = admin_api.get(f"/customers/{created['id']}").get_json()
    assert (after["number"], after["created_at"], after["remarks"]) == (created["number"], created["created_at"],
                                                                         "回写读到的值")
