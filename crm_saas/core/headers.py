"""What every response tells the browser about itself: where scripts may come from, framing, sniffing, referrers.

Scripts and styles come from this site only (``static/``, vendored): no
inline handler or style in any template, and htmx neither evaluates
attributes (``allowEval``) nor injects its indicator style, so the policy
needs no ``unsafe-inline`` or ``unsafe-eval``. No page may be framed
(clickjacking). Behind HTTPS (``CRM_HTTPS``) the browser is told to keep to it
(HSTS) and the session cookie is marked Secure (config.py).
"""
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
))
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app):
    https = bool(app.config["CRM_HTTPS"])

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if https:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
