"""Issue 13.8: on the platform site, "log in to your company" by subdomain (straight there) or by email (a
message with the sign-in page of each company where that address has an active account, looked up by a worker,
the same answer for any address)."""

from tests.mail_sink import run_mail_jobs, set_email


def test_a_subdomain_goes_to_its_sign_in_page(tenant, client_for):
    platform = client_for("localhost")
    assert 'href="/find"' in platform.get("/signup").text
    went = platform.post("/find", data={"company": tenant.slug.upper()})
    assert went.status_code == 302 and went.headers["Location"] == f"http://{tenant.host}/login"
    assert platform.post("/find", data={"company": tenant.host}).headers["Location"] == f"http://{tenant.host}/login"
    unknown = platform.post("/find", data={"company": "no-such-company"})
    assert unknown.status_code == 422 and "No company uses this subdomain." in unknown.text


def test_an_email_gets_the_sign_in_pages_of_its_companies(app, make_tenant, factory, client_for, mail_sink):
    first, second, other = make_tenant(), make_tenant(), make_tenant()
    set_email(factory, first, "admin", "Li.Na@example.com")
    factory.user(second, "lina")
    set_email(factory, second, "lina", "li.na@example.com")
    set_email(factory, other, "admin", "someone@example.com")
    platform = client_for("localhost")

    asked = platform.post("/find", data={"company": "li.na@EXAMPLE.com"})
    nobody = platform.post("/find", data={"company": "nobody@example.com"})
    assert asked.status_code == nobody.status_code == 200
    assert "an email with the sign-in page of each of their companies is on its way" in asked.text
    assert run_mail_jobs(app) == 2
    [(to, message)] = mail_sink.messages  # nobody@ gets nothing
    assert to == ["li.na@EXAMPLE.com"] and message["Subject"] == "Your companies' sign-in pages"
    body = message.get_content()
    assert f"http://{first.host}/login?username=admin" in body and f"http://{second.host}/login?username=lina" in body
    assert other.host not in body
