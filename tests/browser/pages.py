"""What the shell tests ask of every page they walk (test_shell.py, test_platform_shell.py): it answers 200, is no
wider than the window, is in the language asked for, logs no console error and has no serious or critical axe-core
violation; and the menu a phone opens.

axe-core is vendored from npm (tests/browser/vendor/) and evaluated in the page through the DevTools protocol,
which the page's Content-Security-Policy does not govern, so the policy stays as users get it.
"""
from contextlib import contextmanager
from functools import cache
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
DESKTOP, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}
# Serious and critical findings fail; the rules run are axe's WCAG 2.1 A and AA set.
AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                                          resultTypes: ['violations']});
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`);
}"""


@cache
def axe_source():
    return AXE.read_text(encoding="utf-8")


@contextmanager
def browser_page(browser, viewport, locale="en-US"):
    """``(page, console errors)`` in a browser context of its own at ``viewport``, closed afterwards."""
    context = browser.new_context(locale=locale, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page, errors
    finally:
        context.close()


def check_page(page, url, errors, lang=None, one_h1=False):
    """Open ``url`` and list what is wrong with it: not 200, wider than the window, its ``<html lang>`` not ``lang``
    (when given), not exactly one h1 (when ``one_h1``), an axe-core finding, a console error while it loaded.
    ``errors`` is the page's list of console errors (``browser_page``)."""
    errors.clear()
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    found = []
    if response.status != 200:
        found.append(f"status {response.status}")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if widths[0] > widths[1]:
        found.append(f"{widths[0]} px wide in a {widths[1]} px window")
    if lang is not None and page.locator("html").get_attribute("lang") != lang:
        found.append(f"lang is not {lang}")
    if one_h1 and page.locator("h1").count() != 1:
        found.append(f"{page.locator('h1').count()} h1")
    page.evaluate(axe_source())
    found += page.evaluate(AXE_RUN)
    found += [f"console: {text}" for text in errors]
    return found


def walk(page, base, paths, errors, **checks):
    """``{path: its problems}`` of the pages of ``paths`` under ``base`` that have any (``check_page``)."""
    problems = {}
    for path in paths:
        found = check_page(page, f"{base}{path}", errors, **checks)
        if found:
            problems[path] = found
    return problems


def open_phone_menu(page, current):
    """Open the menu from its button, as on a phone (it is off-canvas until then), and check that the link
    ``current`` is marked as the page's: ``(the menu, the names of its links)``."""
    from playwright.sync_api import expect  # a dev dependency: the test modules skip without it (session.py)

    menu = page.locator("#sidebar")
    expect(menu).to_be_hidden()  # off-canvas under 768 px, behind the button
    # The button works once Bootstrap's deferred script has run: a click before the load event did nothing
    # (seen once in CI, right after the sign-in's redirect landed).
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Menu").click()
    expect(menu).to_be_visible()
    links = menu.get_by_role("link")
    expect(links.filter(has_text=current)).to_have_attribute("aria-current", "page")
    return menu, [text.strip() for text in links.all_inner_texts()]
