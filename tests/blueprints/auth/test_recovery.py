"""Issue 13.8: "forgot password" by an emailed link that works once, for 30 minutes, through the platform's
mail server (a real SMTP server on 127.0.0.1 here); the same answer whether or not the account exists;
limited per address; the new password ends every other session and token."""
import re
from datetime import timedelta

import time_machine

from crm_saas.core.base import utcnow
from tests.api_client import API, get_token
from tests.conftest import ADMIN_PASSWORD, login
from tests.mail_sink import run_mail_jobs, set_email

NEW_PASSWORD = "Lantern#Harbor2027"


def ask(client, identifier, **kwargs):
    return client.post("/forgot-password", data={"identifier": identifier}, **kwargs)


def link_in(message):
    return re.search(r"http://\S+/reset-password/\S+", message.get_content()).group(0)


def test_a_forgotten_password_is_reset_through_the_emailed_link(app, tenant, factory, client_for, mail_sink):
    set_email(factory, tenant, "admin", "boss@example.com")
    elsewhere = client_for(tenant)
    assert login(elsewhere, "admin", ADMIN_PASSWORD).status_code == 302
    token = get_token(client_for(tenant), "admin", ADMIN_PASSWORD)

    page = client_for(tenant).get("/login")
    assert 'href="/forgot-password"' in page.text
    asked = ask(client_for(tenant), "Boss@Example.com")  # by email, in any case; the username works too
    assert asked.status_code == 200 and "a link to choose a new password is on its way" in asked.text
    assert run_mail_jobs(app) == 1
    [(to, message)] = mail_sink.messages
    assert to == ["boss@example.com"] and message["Subject"] == "Reset your password"
    assert message["From"] == "crm@example.com" and "within 30 minutes" in message.get_content()
    link = link_in(message)
    assert link.startswith(f"http://{tenant.host}/reset-password/")

    person = client_for(tenant)
    assert "Choose a new password" in person.get(link).text
    weak = person.post(link, data={"password": "abc", "confirm": "abc"})
    assert weak.status_code == 422 and "Password must be at least 8 characters long." in weak.text
    differ = person.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert differ.status_code == 422 and "The two passwords differ." in differ.text
    done = person.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and "/login" in done.headers["Location"]

    assert elsewhere.get("/customers/").status_code == 302  # the other browser is signed out
    assert client_for(tenant).get(f"{API}/customers", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert login(client_for(tenant), "admin", ADMIN_PASSWORD).status_code == 401
    assert login(client_for(tenant), "admin", NEW_PASSWORD).status_code == 302
    used = client_for(tenant).get(link)
    assert used.status_code == 404 and "This link no longer works" in used.text  # once only
    assert client_for(tenant).post(link, data={"password": "Other#Harbor2028", "confirm": "Other#Harbor2028"}
                                   ).status_code == 404


def test_the_answer_is_the_same_for_nobody_and_nothing_is_sent(app, tenant, factory, client_for, mail_sink):
    set_email(factory, tenant, "admin", "boss@example.com")
    factory.user(tenant, "nomail")  # an account without an email address gets no link either

    def page(identifier):
        text = ask(client_for(tenant), identifier).text
        return re.sub(r'(X-CSRFToken": "|name="csrf_token" value=")[^"]*', r"\1", text.replace(identifier, ""))

    assert page("nosuchuser") == page("admin") == page("nomail") == page("nosuch@example.com")
    assert run_mail_jobs(app) == 1 and [to for to, _ in mail_sink.messages] == [["boss@example.com"]]


def test_a_link_works_for_30_minutes_and_only_the_newest(app, tenant, factory, client_for, mail_sink):
    set_email(factory, tenant, "admin", "boss@example.com", locale="zh_CN")
    ask(client_for(tenant), "admin")
    ask(client_for(tenant), "admin")
    assert run_mail_jobs(app) == 2
    first, second = (link_in(message) for _, message in mail_sink.messages)
    assert mail_sink.messages[0][1]["Subject"] == "重设密码"  # in the person's own language
    assert client_for(tenant).get(first).status_code == 404  # replaced by the second
    assert client_for(tenant).get(second).status_code == 200
    with time_machine.travel(utcnow() + timedelta(minutes=31), tick=False):
        assert client_for(tenant).get(second).status_code == 404


def test_asking_is_limited_per_address(tenant, client_for, mail_sink):
    client = client_for(tenant)
    answers = [ask(client, "admin", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    assert ask(client, "admin", environ_base={"REMOTE_ADDR": "198.51.100.3"}).status_code == 200


def test_without_a_mail_server_the_page_says_whom_to_ask(tenant, client_for):
    page = client_for(tenant).get("/forgot-password")
    assert page.status_code == 200 and "Ask your company's administrator" in page.text
    assert 'name="identifier"' not in page.text
