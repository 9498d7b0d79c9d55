"""Province / city / district (C2): the national list, the checks, and the cascading picker."""
from html.parser import HTMLParser
from types import SimpleNamespace

from flask import render_template_string

from crm_saas.core import regions


class Picker(HTMLParser):
    """What a user sees in the picker: each select's option texts, its selected value, its message."""

    def __init__(self, html):
        super().__init__()
        self.selects, self.errors, self.root_ids = {}, {}, []
        self._select = self._option = self._error = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div":
            self.root_ids.append(attrs.get("id"))
        elif tag == "select":
            self._select = {"id": attrs["id"], "options": [], "selected": None,
                            "invalid": attrs.get("aria-invalid") == "true"}
            self.selects[attrs["name"]] = self._select
        elif tag == "option":
            self._option = {"value": attrs.get("value"), "text": "", "selected": "selected" in attrs}
        elif tag == "small" and "field-error" in (attrs.get("class") or ""):
            self._error = attrs["id"]
            self.errors[self._error] = ""

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        elif self._error:
            self.errors[self._error] += data

    def handle_endtag(self, tag):
        if tag == "option":
            self._select["options"].append(self._option["text"].strip())
            if self._option["selected"]:
                self._select["selected"] = self._option["value"]
            self._option = None
        elif tag == "small":
            self._error = None


def test_the_list_has_the_mainland_provinces_and_municipalities_are_their_own_city():
    assert len(regions.provinces()) >= 31
    assert {"北京市", "上海市", "广东省", "新疆维吾尔自治区", "香港特别行政区"} <= set(regions.provinces())
    assert regions.cities("上海市") == ["上海市"]
    assert regions.cities("重庆市") == ["重庆市"]
    assert "浦东新区" in regions.districts("上海市", "上海市")
    assert "巫山县" in regions.districts("重庆市", "重庆市")  # the list's "县" joins the districts
    assert "南山区" in regions.districts("广东省", "深圳市")
    assert regions.cities("火星") == regions.cities("") == regions.cities(None) == []
    assert regions.districts("上海市", "市辖区") == []


def test_valid_triples_and_partial_answers_pass(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for triple in (("上海市", "上海市", "浦东新区"), ("北京市", "北京市", "朝阳区"), ("广东省", "深圳市", "南山区"),
                       ("广东省", "", ""), ("广东省", "深圳市", None), (None, None, None), ("", "", "")):
            assert regions.region_errors(*triple) == {}, triple


def test_each_bad_level_is_named(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert regions.region_errors("广东省", "杭州市", "") == {"city": ["Choose a city of 广东省."]}
        assert regions.region_errors("广东省", "深圳市", "西湖区") == {"district": ["Choose a district of 深圳市."]}
        assert regions.region_errors("广东省", "", "南山区") == {"district": ["Choose the city first."]}
        assert regions.region_errors("", "深圳市", "") == {"city": ["Choose the province first."]}
        assert regions.region_errors("加州", "", "") == {"province": ["Choose a province from the list."]}
        assert regions.region_errors("上海市", "市辖区", "浦东新区") == {"city": ["Choose a city of 上海市."]}


def test_choosing_a_province_lists_its_cities(admin_client):
    response = admin_client.get("/regions/picker", query_string={"province": "广东省"},
                                headers={"HX-Request": "true", "HX-Trigger-Name": "province"})
    assert response.status_code == 200
    picker = Picker(response.text)
    assert picker.root_ids[0] == "region-picker"
    assert picker.selects["province"]["selected"] == "广东省"
    assert picker.selects["city"]["options"][0] == "—"
    assert {"广州市", "深圳市", "东莞市"} <= set(picker.selects["city"]["options"])
    assert "杭州市" not in picker.selects["city"]["options"]
    assert picker.selects["district"]["options"] == ["—"]
    assert "Province" in response.text and "District" in response.text


def test_a_new_province_clears_the_city_and_district_that_no_longer_belong(admin_client):
    moved = Picker(admin_client.get("/regions/picker", query_string={
        "province": "浙江省", "city": "深圳市", "district": "南山区"}, headers={"HX-Trigger-Name": "province"}).text)
    assert moved.selects["province"]["selected"] == "浙江省"
    assert moved.selects["city"]["selected"] is None and "杭州市" in moved.selects["city"]["options"]
    assert moved.selects["district"]["selected"] is None and moved.selects["district"]["options"] == ["—"]

    new_city = Picker(admin_client.get("/regions/picker", query_string={
        "province": "广东省", "city": "广州市", "district": "南山区"}, headers={"HX-Trigger-Name": "city"}).text)
    assert new_city.selects["city"]["selected"] == "广州市"
    assert new_city.selects["district"]["selected"] is None and "天河区" in new_city.selects["district"]["options"]

    kept = Picker(admin_client.get("/regions/picker", query_string={
        "province": "上海市", "city": "上海市", "district": "浦东新区"}, headers={"HX-Trigger-Name": "district"}).text)
    assert [kept.selects[level]["selected"] for level in ("province", "city", "district")] == [
        "上海市", "上海市", "浦东新区"]


def test_filter_mode_and_prefix_carry_through(admin_client):
    picker = Picker(admin_client.get("/regions/picker", query_string={
        "province": "北京市", "prefix": "filter-", "mode": "filter"}).text)
    assert picker.root_ids[0] == "filter-region-picker"
    assert picker.selects["province"]["id"] == "filter-province"
    assert picker.selects["province"]["options"][0] == "Any province"
    assert picker.selects["city"]["options"] == ["Any city", "北京市"]
    assert "朝阳区" not in picker.selects["district"]["options"]  # no city chosen yet
    hostile = Picker(admin_client.get("/regions/picker", query_string={"prefix": '"><script>'}).text)
    assert hostile.root_ids[0] == "region-picker"


def test_included_with_an_old_record_keeps_its_values_and_shows_errors(app):
    page = ('{% with region=record, prefix="c-" %}{% include "regions/_picker.html" %}{% endwith %}')
    old = SimpleNamespace(province="四川省", city="老城市")  # no district attribute at all
    with app.test_request_context(headers={"Accept-Language": "en"}):
        picker = Picker(render_template_string(page, record=old, region_errors={"city": ["Choose a city of 四川省."]}))
        bare = Picker(render_template_string('{% include "regions/_picker.html" %}'))
    assert picker.selects["city"]["selected"] == "老城市"
    assert "老城市 (not in the list)" in picker.selects["city"]["options"] and "成都市" in picker.selects["city"]["options"]
    assert picker.selects["city"]["invalid"] and not picker.selects["province"]["invalid"]
    assert picker.errors == {"c-city-error": "Choose a city of 四川省."}
    assert picker.selects["district"]["selected"] is None
    assert bare.selects["province"]["selected"] is None and bare.selects["province"]["options"][0] == "—"


def test_the_picker_is_for_logged_in_people_on_a_company_host(client_for, tenant):
    assert client_for("localhost").get("/regions/picker").status_code == 404
    response = client_for(tenant).get("/regions/picker", query_string={"province": "广东省"})
    assert response.status_code == 302 and "/login" in response.location
