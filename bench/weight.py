"""Page weight: the bytes of the main pages as the admin of the big tenant gets them, and of what they load.

For each page: its HTML, and the stylesheets and scripts it links (this site's
own, as served), raw and gzip-compressed (what a TLS proxy with gzip on sends;
deploy/nginx.conf turns it on). Images and fonts are not counted (the pages
load none but the favicon). A second page from the same site loads its CSS and
JS from the browser's cache: the HTML column is what each page costs after the
first.
"""
import gzip
import re

PAGES = (
    ("board", "/board"),
    ("customer list", "/customers/"),
    ("customer page", "/customers/{customer}"),
    ("deal list", "/deals/"),
    ("deal page", "/deals/{deal}"),
    ("agenda", "/agenda"),
    ("staff", "/staff/"),
)
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="(/static/[^"]+)"')


def _kb(data):
    return f"{len(data) / 1024:7.1f} KB"


def run(client, base_url, customer_id, deal_id, log):
    log("page weight of the main pages")
    rows = []
    for label, path in PAGES:
        response = client.get(path.format(customer=customer_id, deal=deal_id), base_url=base_url)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        html = response.get_data()
        assets = b"".join(client.get(src, base_url=base_url).get_data()
                          for src in dict.fromkeys(ASSET.findall(html.decode())))
        rows.append((f"page weight: {label}",
                     f"HTML {_kb(html)}", f"gzip {_kb(gzip.compress(html))}",
                     f"CSS+JS {_kb(assets)}", f"gzip {_kb(gzip.compress(assets))}"))
    return rows
