"""Files on customers and deals (K1): upload, download under the user's own name, refusals, visibility, delete."""
import io
import os
import re
import struct
import zlib
from urllib.parse import quote

import pytest

from tests.conftest import STAFF_PASSWORD, login

HTMX = {"HX-Request": "true"}


def pdf_bytes():
    """A minimal but well-formed one-page PDF."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def png_bytes():
    """A 1x1 red PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def xlsx_bytes():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["客户", "金额"])
    workbook.active.append(["上海远航", 1000])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, path, name, content, headers=HTMX):
    return client.post(path, data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data",
                       headers=headers)


def stored_files(app, tenant):
    """Everything on disk in the tenant's own files directory (temporary parts included)."""
    from crm_saas.blueprints.files.services.storage import files_dir

    return sorted(os.listdir(files_dir(app, tenant.schema_name)))


def attachment_rows(factory, tenant):
    from sqlalchemy import select

    from crm_saas.blueprints.files.models import Attachment
    from crm_saas.extensions import db

    return factory._run(tenant, lambda: [
        (a.file_name, a.entity, a.entity_id) for a in db.session.scalars(select(Attachment).order_by(Attachment.id))
    ])


def file_ids(html):
    return [int(i) for i in re.findall(r"/files/(\d+)/download", html)]


@pytest.fixture
def attachment_limit(app):
    """Set CRM_MAX_ATTACHMENT_MB for one test, then put it back."""
    saved = app.config["CRM_MAX_ATTACHMENT_MB"]

    def set_limit(megabytes):
        app.config["CRM_MAX_ATTACHMENT_MB"] = megabytes

    yield set_limit
    app.config["CRM_MAX_ATTACHMENT_MB"] = saved


@pytest.mark.parametrize("name, content, mimetype", [
    ("报价单.pdf", pdf_bytes(), "application/pdf"),
    ("现场照片.png", png_bytes(), "image/png"),
    ("客户清单 2026.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_an_upload_downloads_as_the_same_bytes_under_its_chinese_name(
        app, tenant, admin_client, factory, name, content, mimetype):
    customer = factory.customer(tenant, factory.admin_id(tenant))
    response = upload(admin_client, f"/customers/{customer}/files", name, content)
    assert response.status_code == 200
    assert f'id="files-customer-{customer}"' in response.text and name in response.text
    [file_id] = file_ids(response.text)

    download = admin_client.get(f"/files/{file_id}/download")
    assert download.status_code == 200 and download.data == content
    assert download.mimetype == mimetype
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"filename*=UTF-8''{quote(name)}" in disposition
    fallback = re.search(r'filename="?([^";]+)', disposition).group(1)  # for clients that ignore filename*
    assert fallback.isascii() and fallback.endswith(name[-4:]) and fallback[0] not in ". "
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    [stored] = stored_files(app, tenant)  # the tenant's own directory, under a random name
    assert name not in stored and stored.endswith("." + name.rsplit(".", 1)[1])
    with open(os.path.join(app.instance_path, "files", tenant.schema_name, stored), "rb") as fh:
        assert fh.read() == content


def test_the_list_shows_size_uploader_and_time_and_the_upload_is_logged(tenant, admin_client, factory):
    from sqlalchemy import select

    from crm_saas.core.audit import OperationLog
    from crm_saas.extensions import db

    customer = factory.customer(tenant, factory.admin_id(tenant))
    upload(admin_client, f"/customers/{customer}/files", "a.txt", "你好，世界\n".encode("gb18030"))
    page = upload(admin_client, f"/customers/{customer}/files", "big.pdf", pdf_bytes() + b"0" * 3000).text
    assert "11 B" in page and re.search(r"3\.\d KB", page) and "Admin" in page
    assert page.count('hx-confirm="Delete') == 2 and 'hx-encoding="multipart/form-data"' in page
    actions = factory._run(tenant, lambda: db.session.scalars(
        select(OperationLog.action).where(OperationLog.target_id == customer)).all())
    assert actions.count("attachment_added") == 2


@pytest.mark.parametrize("name, content, message", [
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "setup.exe cannot be attached: allowed types are"),
    ("合同.pdf", png_bytes(), "合同.pdf is not a real PDF file"),
    ("scan.docx", pdf_bytes(), "scan.docx is not a real DOCX file"),
    ("notes.txt", b"\xff\xfe\x00\x00binary", "notes.txt is not a real TXT file"),
    ("空文件.csv", b"", "空文件.csv is empty."),
    ("", b"", "Choose a file to upload."),
])
def test_refused_uploads_say_why_and_store_nothing(app, tenant, admin_client, factory, name, content, message):
    customer = factory.customer(tenant, factory.admin_id(tenant))
    response = upload(admin_client, f"/customers/{customer}/files", name, content)
    assert response.status_code == 422
    assert message in response.text and 'aria-invalid="true"' in response.text
    assert attachment_rows(factory, tenant) == [] and stored_files(app, tenant) == []


def test_files_over_the_limit_are_refused_with_a_field_message(app, tenant, admin_client, factory, attachment_limit):
    customer = factory.customer(tenant, factory.admin_id(tenant))
    attachment_limit(0.01)  # 10 KiB
    path = f"/customers/{customer}/files"

    checked = upload(admin_client, path, "扫描件.pdf", pdf_bytes() + b"0" * 12_000)
    assert checked.status_code == 422 and "扫描件.pdf is larger than 0.01 MB." in checked.text

    # A body too big to read at all is refused unread, with the same message in the form's error slot.
    unread = upload(admin_client, path, "huge.pdf", pdf_bytes() + b"0" * 200_000)
    assert unread.status_code == 422 and "The file is larger than 0.01 MB." in unread.text
    assert unread.headers["HX-Retarget"] == f"#files-customer-{customer}-error"
    plain = upload(admin_client, path, "huge.pdf", pdf_bytes() + b"0" * 200_000, headers={})
    assert plain.status_code == 302 and plain.location.endswith(f"/customers/{customer}")
    assert "The file is larger than 0.01 MB." in admin_client.get(plain.location).text

    assert upload(admin_client, path, "small.pdf", pdf_bytes()).status_code == 200
    assert [row[0] for row in attachment_rows(factory, tenant)] == ["small.pdf"]
    assert len(stored_files(app, tenant)) == 1


def test_without_htmx_uploads_and_deletes_go_back_to_the_record(tenant, admin_client, factory):
    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin)
    deal = factory.deal(tenant, customer, admin)
    saved = upload(admin_client, f"/customers/{customer}/files", "a.pdf", pdf_bytes(), headers={})
    assert saved.status_code == 302 and saved.location.endswith(f"/customers/{customer}")
    refused = upload(admin_client, f"/customers/{customer}/files", "a.exe", b"MZ", headers={})
    assert refused.status_code == 302
    assert "a.exe cannot be attached" in admin_client.get(refused.location).text
    on_deal = upload(admin_client, f"/deals/{deal}/files", "deal.png", png_bytes(), headers={})
    assert on_deal.status_code == 302 and on_deal.location.endswith("/board")
    assert attachment_rows(factory, tenant) == [("a.pdf", "customer", customer), ("deal.png", "deal", deal)]


def test_a_rep_cannot_reach_the_files_of_a_customer_they_cannot_see(app, tenant, admin_client, client_for, factory):
    admin = factory.admin_id(tenant)
    factory.user(tenant, "rep", superior_id=admin)
    customer = factory.customer(tenant, admin)
    deal = factory.deal(tenant, customer, admin)
    [file_id] = file_ids(upload(admin_client, f"/customers/{customer}/files", "a.pdf", pdf_bytes()).text)
    [deal_file] = file_ids(upload(admin_client, f"/deals/{deal}/files", "b.pdf", pdf_bytes()).text)

    rep = client_for(tenant)
    login(rep, "rep", STAFF_PASSWORD)
    assert upload(rep, f"/customers/{customer}/files", "x.pdf", pdf_bytes()).status_code == 404
    assert upload(rep, f"/deals/{deal}/files", "x.pdf", pdf_bytes()).status_code == 404
    for some_file in (file_id, deal_file):
        assert rep.get(f"/files/{some_file}/download").status_code == 404
        assert rep.post(f"/files/{some_file}/delete", headers=HTMX).status_code == 404
    assert len(attachment_rows(factory, tenant)) == 2 and len(stored_files(app, tenant)) == 2


def test_another_companys_file_id_is_404_here(make_tenant, client_for, factory):
    from tests.conftest import ADMIN_PASSWORD

    first, second = make_tenant(), make_tenant()
    clients = []
    for company in (first, second):
        client = client_for(company)
        login(client, "admin", ADMIN_PASSWORD)
        clients.append(client)
    customer = factory.customer(first, factory.admin_id(first))
    [file_id] = file_ids(upload(clients[0], f"/customers/{customer}/files", "a.pdf", pdf_bytes()).text)
    assert clients[1].get(f"/files/{file_id}/download").status_code == 404
    assert clients[1].post(f"/files/{file_id}/delete").status_code == 404
    assert clients[0].get(f"/files/{file_id}/download").status_code == 200


def test_delete_is_for_the_uploader_the_owner_and_settings_managers(app, tenant, admin_client, client_for, factory):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    customer = factory.customer(tenant, factory.user(tenant, "rep", superior_id=boss))
    supervisor, owner = client_for(tenant), client_for(tenant)
    login(supervisor, "boss", STAFF_PASSWORD)
    login(owner, "rep", STAFF_PASSWORD)
    for name in ("one.pdf", "two.pdf", "three.pdf"):
        page = upload(supervisor, f"/customers/{customer}/files", name, pdf_bytes()).text
    three, two, one = file_ids(page)  # newest first

    for client, file_id in ((supervisor, one), (owner, two), (admin_client, three)):  # uploader, owner, settings
        deleted = client.post(f"/files/{file_id}/delete", headers=HTMX)
        assert deleted.status_code == 200 and f"/files/{file_id}/download" not in deleted.text
    assert "No files yet." in deleted.text
    assert attachment_rows(factory, tenant) == [] and stored_files(app, tenant) == []


def test_seeing_a_file_is_not_enough_to_delete_it(tenant, client_for, factory):
    admin = factory.admin_id(tenant)
    boss = factory.user(tenant, "boss", role="supervisor", superior_id=admin)
    rep = factory.user(tenant, "rep", superior_id=boss)
    customer = factory.customer(tenant, rep)
    rep_client, boss_client = client_for(tenant), client_for(tenant)
    login(rep_client, "rep", STAFF_PASSWORD)
    login(boss_client, "boss", STAFF_PASSWORD)
    [file_id] = file_ids(upload(rep_client, f"/customers/{customer}/files", "rep.pdf", pdf_bytes()).text)

    seen = upload(boss_client, f"/customers/{customer}/files", "boss.txt", b"hello")
    assert "rep.pdf" in seen.text and seen.text.count("hx-confirm=") == 1  # only the boss's own file
    assert boss_client.get(f"/files/{file_id}/download").status_code == 200
    assert boss_client.post(f"/files/{file_id}/delete", headers=HTMX).status_code == 403
    assert [row[0] for row in attachment_rows(factory, tenant)] == ["rep.pdf", "boss.txt"]


def test_purge_and_move_keep_rows_and_files_in_step(app, tenant, admin_client, factory):
    from crm_saas.blueprints.files import services
    from crm_saas.extensions import db

    admin = factory.admin_id(tenant)
    keep, merged = factory.customer(tenant, admin), factory.customer(tenant, admin, phone="13900139000")
    upload(admin_client, f"/customers/{merged}/files", "a.pdf", pdf_bytes())
    upload(admin_client, f"/customers/{keep}/files", "b.pdf", pdf_bytes())

    def move():
        assert services.move_attachments("customer", merged, keep) == 1
        db.session.commit()

    factory._run(tenant, move)
    assert sorted(row[2] for row in attachment_rows(factory, tenant)) == [keep, keep]

    def purge_then_roll_back():
        assert services.purge_attachments("customer", [keep]) == 2
        db.session.rollback()

    factory._run(tenant, purge_then_roll_back)
    assert len(attachment_rows(factory, tenant)) == 2 and len(stored_files(app, tenant)) == 2

    def purge():
        services.purge_attachments("customer", [keep])
        db.session.commit()

    factory._run(tenant, purge)
    assert attachment_rows(factory, tenant) == [] and stored_files(app, tenant) == []
