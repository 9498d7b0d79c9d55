"""One place decides whether a request wants the whole page or just a partial."""
from flask import Response, redirect, render_template, request


def is_htmx():
    """An htmx request that is not a boosted navigation wants a fragment."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render(full, fragment, **context):
    """Render ``fragment`` for htmx swaps, ``full`` (the page that includes it) otherwise."""
    return render_template(fragment if is_htmx() else full, **context)


def redirect_to(url):
    """After a successful htmx form post, navigate the whole page (not the swapped fragment)."""
    if is_htmx():
        return Response(status=204, headers={"HX-Redirect": url})
    return redirect(url)
