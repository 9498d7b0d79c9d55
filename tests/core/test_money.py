"""Issue 13.4: money on the board is compact (¥864万 / CN¥8.6M), the full amount on hover, never a wrapped
"¥8,644,000.00"."""
import pytest
from flask_babel import force_locale

from crm_saas.core.templating import money_compact


@pytest.mark.parametrize("locale,expected", [
    ("zh_CN", ["¥864万", "¥1.2万", "¥950", "¥950.5", "¥1.2亿", "¥100万", "¥0", "-¥2.5万"]),
    ("en", ["CN¥8.6M", "CN¥12.5K", "CN¥950", "CN¥950.5", "CN¥123M", "CN¥1M", "CN¥0", "-CN¥25K"]),
])
def test_amounts_shorten_in_the_readers_language(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert [money_compact(v) for v in (8644000, 12500, 950, "950.50", 123456789, 1000000, None, -25000)] \
            == expected


def test_the_board_shows_the_short_amount_and_the_full_one_on_hover(tenant, factory, admin_client):
    admin = factory.admin_id(tenant)
    customer = factory.customer(tenant, admin)
    factory.deal(tenant, customer, admin, name="大单", amount=8644000)
    page = admin_client.get("/board", headers={"Accept-Language": "zh-CN"}).text
    assert '<span title="¥8,644,000.00">¥864万</span>' in page
    assert 'title="¥8,644,000.00">¥864万</span>' in page.split('class="stage-amount"')[1]
