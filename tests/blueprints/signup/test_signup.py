"""Self-service sign-up (A1) on the bare base domain."""
from tests.conftest import login, new_slug

GOOD = {
    "company_name": "上海星辰科技有限公司", "admin_name": "张三", "phone": "13800138000",
    "email": "zhang@example.com", "password": "Start#2026", "confirm": "Start#2026", "rep_code": "",
}


def test_a_sign_up_waits_for_approval_and_its_host_says_so(client_for):
    """A1 and seed 003: 申请成功后，等待后台管理员审批. The host answers a page naming whom to call, not a 404."""
    slug = new_slug("signup")
    response = client_for("localhost").post("/signup", data=dict(GOOD, subdomain=slug))
    assert response.status_code == 302
    company = client_for(f"{slug}.localhost")
    page = company.get("/login")
    assert page.status_code == 403
    assert "application being reviewed" in page.text and "上海星辰科技有限公司" in page.text
    assert "Huike CRM support" in page.text  # no rep code: the platform is the contact
    api = company.post("/api/v1/auth/token", json={"username": "admin", "password": "Start#2026"})
    assert api.status_code == 403 and api.get_json()["code"] == "company_pending"


def test_sign_up_provisions_and_sends_the_admin_to_their_login(client_for, instant_trial):
    slug = new_slug("signup")
    response = client_for("localhost:5000").post("/signup", data=dict(GOOD, subdomain=slug))
    assert response.status_code == 302
    assert response.location == f"http://{slug}.localhost:5000/login?username=admin&welcome=1"
    company = client_for(f"{slug}.localhost")
    assert "上海星辰科技有限公司" in company.get("/login").text
    assert login(company, "admin", "Start#2026").location == "/"  # chosen by the admin: no forced change


def test_every_bad_field_is_named_and_nothing_is_created(client_for):
    platform = client_for("localhost")
    bad = dict(GOOD, subdomain="Bad Sub!", phone="12345", email="nope", password="weak", confirm="other",
               company_name="")
    response = platform.post("/signup", data=bad, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    for message in ("Company name is required.", "Use 3-32 lowercase letters",
                    "Enter an 11-digit mobile number or a landline with area code.",
                    "Enter a valid email address.", "Password must contain a digit.", "The two passwords differ."):
        assert message in response.text, message
    assert client_for("bad-sub.localhost").get("/login").status_code == 404


def test_taken_and_reserved_subdomains(client_for, tenant):
    platform = client_for("localhost")
    taken = platform.post("/signup", data=dict(GOOD, subdomain=tenant.slug), headers={"Accept-Language": "en"})
    assert taken.status_code == 422 and "already taken" in taken.text
    reserved = platform.post("/signup", data=dict(GOOD, subdomain="www"), headers={"Accept-Language": "en"})
    assert "reserved" in reserved.text


def test_messages_speak_chinese_to_a_chinese_browser(client_for):
    response = client_for("localhost").post("/signup", data=dict(GOOD, subdomain="", company_name=""),
                                            headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "公司名称不能为空" in response.text


def test_the_default_pipeline_is_named_in_the_sign_up_language(client_for, instant_trial):
    """Issue 13.9: a company signed up in English got "销售管道" and Chinese stage names to rename."""
    from tests.api_client import get_token

    names = {}
    for language, header in (("en", "en"), ("zh", "zh-CN")):
        slug = new_slug(f"lang{language}")
        signed_up = client_for("localhost").post("/signup", data=dict(GOOD, subdomain=slug),
                                                 headers={"Accept-Language": header})
        assert signed_up.status_code == 302
        company = client_for(f"{slug}.localhost")
        token = get_token(company, "admin", "Start#2026")
        [pipeline] = company.get("/api/v1/pipelines", headers={"Authorization": f"Bearer {token}"}).get_json()
        names[language] = (pipeline["name"], [stage["name"] for stage in pipeline["stages"]])
    assert names["en"] == ("Sales pipeline", ["Initial contact", "Needs analysis", "Proposal", "Negotiation", "Won",
                                              "Lost"])
    assert names["zh"] == ("销售管道", ["初步接触", "需求分析", "方案提交", "商务谈判", "成交", "输单"])
