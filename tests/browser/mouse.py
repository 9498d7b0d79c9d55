"""Pointer moves shared by the browser tests."""


def drag(page, card, target):
    """A real mouse drag: SortableJS only follows a pointer that moves in steps."""
    card.scroll_into_view_if_needed()
    box, goal = card.bounding_box(), target.bounding_box()
    assert goal["x"] + goal["width"] <= page.viewport_size["width"], "the target column is off screen"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 10, steps=5)
    page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + goal["height"] - 10, steps=20)
    page.mouse.up()
