"""The board sends a fixed number of statements, however many cards, owners and customers it shows (no N+1)."""
from tests.blueprints.customers.test_queries import statements

# Tenant lookup, the user, pipelines, people for the filters, the cards and the column totals, menus. A new
# company's first-run checklist adds one more while it shows (test_onboarding.py); these companies have closed it.
BOARD_BUDGET = 12


def test_the_board_sends_as_many_statements_for_sixty_cards_as_for_two(tenant, factory, admin_client,
                                                                       count_queries):
    admin = factory.admin_id(tenant)
    assert admin_client.post("/onboarding/dismiss").status_code == 200
    reps = [factory.user(tenant, f"rep{i}", superior_id=admin) for i in range(5)]

    def add_deals(count, start):
        for i in range(start, start + count):
            customer = factory.customer(tenant, reps[i % 5], name=f"客户{i}", phone=f"1380013{i:04d}")
            factory.deal(tenant, customer, reps[i % 5], name=f"商机{i}", stage_index=i % 5)

    add_deals(2, 0)
    few = statements(count_queries, admin_client, "/board")
    add_deals(58, 100)
    many = statements(count_queries, admin_client, "/board")
    assert many == few <= BOARD_BUDGET
