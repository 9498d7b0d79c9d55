"""Pointer moves shared by the browser tests."""


def drag(page, card, target):
    """A real mouse drag: SortableJS only follows a pointer that moves in steps."""
    card.scroll_into_view_if_needed()
    box, goal = card.bounding_box(), target.bounding_box()
    assert goal["x"] + goal["width"] <= page.viewport_size["width"], "the target column is off screen"
    # Near the card's right edge, half-way down: its links and buttons (which never start a drag) sit on the left.
    x, y = box["x"] + box["width"] - 8, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 10, steps=5)
    # The foot of the target list, or of its part in the window: a column's cards scroll inside the board, which
    # may reach below the window (a person drops where they can see).
    bottom = min(goal["y"] + goal["height"], page.viewport_size["height"]) - 10
    assert bottom > goal["y"], "the target column is below the window"
    page.mouse.move(goal["x"] + goal["width"] / 2, bottom, steps=20)
    page.mouse.up()
