"""Issue 11.6: guessing is throttled per address and per account from an address; the real user still gets in,
and nothing tells a known username from an unknown one."""
import re
import threading

from sqlalchemy import select

from tests.api_client import API, get_token
from tests.conftest import ADMIN_PASSWORD, STAFF_PASSWORD, captcha_answer, login

ATTACKER, OWNER = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "198.51.100.20"}


def attempt(client, username, password, address=ATTACKER, **kwargs):
    """A sign-in from ``address`` (typing the image code once it is asked for, as the real user would)."""
    return login(client, username, password, environ_base=address, **kwargs)


def test_a_spray_gets_429_while_the_owner_still_logs_in(tenant, client_for, factory):
    factory.user(tenant, "li")
    attacker = client_for(tenant)
    answers = [attempt(attacker, name, f"Guess#{i}x").status_code
               for i in range(30) for name in (("admin", "li", "ghost")[i % 3],)]
    assert 429 in answers and answers.count(401) <= 20, answers  # 20 a minute from one address, then 429
    refused = attempt(attacker, "admin", ADMIN_PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    owner = client_for(tenant)
    assert attempt(owner, "admin", ADMIN_PASSWORD, OWNER).status_code == 302  # the admin is not locked out
    assert owner.get("/customers/").status_code == 200


def _page(response, username):
    """The page without the name typed and without the CSRF token, which carries the second it was signed in."""
    return re.sub(r'(X-CSRFToken": "|name="csrf_token" value=")[^"]*', r"\1", response.text.replace(username, ""))


def test_unknown_and_known_names_get_the_same_answers(tenant, client_for):
    attacker = client_for(tenant)
    known = [attempt(attacker, "admin", "Wrong#123a") for _ in range(6)]
    unknown = [attempt(attacker, "nobody", "Wrong#123a") for _ in range(6)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [401] * 5 + [429]
    assert _page(known[0], "admin") == _page(unknown[0], "nobody")
    api = client_for(tenant)
    replies = [api.post(f"{API}/auth/token", json={"username": name, "password": "Wrong#123a"},
                        environ_base=OWNER).get_json() for name in ("admin", "nobody")]
    assert replies[0] == replies[1] == {"message": "Wrong username or password."}


def test_the_429_page_speaks_chinese(tenant, client_for):
    attacker = client_for(tenant)
    for _ in range(5):
        attempt(attacker, "admin", "Wrong#123a")
    page = attempt(attacker, "admin", "x", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 429 and "尝试次数过多" in page.text


def test_parallel_wrong_guesses_all_count(app, tenant, client_for, factory):
    """failed_logins += 1 was read-modify-write: parallel guesses lost counts."""
    def guess(i):
        attempt(client_for(tenant), "admin", "Wrong#123a", {"REMOTE_ADDR": f"192.0.2.{i}"})

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    from crm_saas.core.users import User
    from crm_saas.extensions import db

    failed = factory._run(tenant, lambda: db.session.scalar(select(User.failed_logins).where(User.username == "admin")))
    assert failed == 12


def test_wrong_current_passwords_are_throttled_for_a_token_holder(tenant, client_for, factory):
    factory.user(tenant, "li")
    api = client_for(tenant)
    token = get_token(api, "li", STAFF_PASSWORD)
    headers = {"Authorization": f"Bearer {token}"}
    answers = [api.post(f"{API}/me/password", json={"old": f"Guess#{i}x", "new": "Better#2027"}, headers=headers)
               .status_code for i in range(12)]
    assert answers[:5] == [422] * 5 and set(answers[5:]) == {429}, answers


def test_the_password_page_throttles_wrong_current_passwords_too(tenant, client_for, factory):
    factory.user(tenant, "li")
    browser = client_for(tenant)
    assert attempt(browser, "li", STAFF_PASSWORD, OWNER).status_code == 302
    answers = [browser.post("/password", data={"old": f"Guess#{i}x", "new": "Better#2027", "confirm": "Better#2027"},
                            environ_base=OWNER).status_code for i in range(7)]
    assert answers[-1] == 429 and 429 not in answers[:5], answers


def test_sign_ups_from_one_address_are_limited(client_for):
    platform = client_for("localhost")
    answers = [platform.post("/signup", data={"company_name": ""}, environ_base={"REMOTE_ADDR": "192.0.2.200"})
               .status_code for _ in range(12)]
    assert answers[:10] == [422] * 10 and answers[10:] == [429, 429], answers


def test_from_the_third_wrong_password_the_page_says_how_many_are_left(tenant, client_for):
    """Issue 13.8: the fifth wrong password made sign-in wait 15 minutes without a word of warning."""
    client = client_for(tenant)
    warnings = []
    for _ in range(5):
        page = attempt(client, "admin", "Wrong#123a")
        assert page.status_code == 401
        found = re.search(r'<strong class="lockout-warning">([^<]*)</strong>', page.text)
        warnings.append(found.group(1) if found else None)
    assert warnings == [
        None, None, "2 more wrong passwords and sign-in from here waits 15 minutes.",
        "1 more wrong password and sign-in from here waits 15 minutes.", "Sign-in from here now waits 15 minutes.",
    ]
    assert attempt(client, "admin", ADMIN_PASSWORD).status_code == 429  # as it said
    zh = client_for(tenant)
    for _ in range(3):
        page = attempt(zh, "ghost", "Wrong#123a", OWNER, headers={"Accept-Language": "zh-CN"})
    assert "再输错 2 次密码" in page.text  # an unknown name is warned alike: the warning tells no account apart


def test_after_three_wrong_passwords_the_image_code_is_asked_and_spent_once(tenant, client_for):
    """Issue 13.8 (B6's 验证码): the code's answer stays on the server; a wrong or missing code is refused before
    the password is tried (so even the right password waits for it) and does not count as a wrong password."""
    client = client_for(tenant)
    pages = [client.post("/login", data={"username": "admin", "password": "Wrong#123a"}, environ_base=ATTACKER)
             for _ in range(3)]
    assert 'name="captcha_id"' not in pages[1].text
    challenge = re.search(r'name="captcha_id" value="([^"]+)"', pages[2].text).group(1)
    answer = captcha_answer(client.application, challenge)
    assert len(answer) == 4 and answer not in pages[2].text  # only its picture goes out
    png = client.get(f"/captcha/{challenge}.png")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.headers["Cache-Control"] == "no-store"

    def post(**extra):
        return client.post("/login", data={"username": "admin", "password": ADMIN_PASSWORD, **extra},
                           environ_base=ATTACKER)

    missing = post()
    assert missing.status_code == 401 and "Type the characters shown in the image." in missing.text
    wrong = post(captcha_id=challenge, captcha="ZZZZ")
    assert wrong.status_code == 401 and "Type the characters shown in the image." in wrong.text
    assert post(captcha_id=challenge, captcha=answer).status_code == 401  # spent by the wrong try
    assert client.get(f"/captcha/{challenge}.png").status_code == 404
    fresh = re.search(r'name="captcha_id" value="([^"]+)"', wrong.text).group(1)
    assert "2 more wrong passwords" in wrong.text  # refused codes count as no wrong password
    signed_in = post(captcha_id=fresh, captcha=captcha_answer(client.application, fresh).lower())
    assert signed_in.status_code == 302
