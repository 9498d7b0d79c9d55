"""What kind of request this is: a call to the JSON API, or a page.

Web-side hooks (the forced password change, error pages) must tell the two
apart without importing the API package, which sits above the features.
"""
from flask import request

API_PREFIX = "/api/v1"


def is_api_request():
    """Whether this request is the API's: errors answer JSON, the web's password redirect stays away."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")
