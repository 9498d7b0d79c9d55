"""Short searches (issue 13): ``public.crm_grams(text)``, the letters and letter pairs of a text, to index.

A trigram index cannot serve a search of one or two characters, such as the
company 华为 or the person 张三 (pg_trgm needs three, and Chinese names are
often two): every such search read every customer and contact. Customers' and
contacts' names get a GIN index on this function (tenant revision 0009), and a
short search asks it whether the pair is among a name's pairs.

Revision ID: 0002_search_grams
Revises: 0001_public
Create Date: 2026-12-06
"""
from alembic import op

revision = "0002_search_grams"
down_revision = "0001_public"
branch_labels = None
depends_on = None

GRAMS = """
CREATE OR REPLACE FUNCTION public.crm_grams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT gram), '{}')
    FROM (SELECT substr(lower(value), i, 1) AS gram FROM generate_series(1, length(value)) AS i
          UNION ALL
          SELECT substr(lower(value), i, 2) FROM generate_series(1, length(value) - 1) AS i) AS grams
$$
"""


def upgrade():
    op.execute(GRAMS)


def downgrade():
    op.execute("DROP FUNCTION IF EXISTS public.crm_grams(text)")
