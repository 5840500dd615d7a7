"""Between Flask and oauthlib, which has no HTTP layer: the request as oauthlib reads it, and
oauthlib's (headers, body, status) as a Flask response.

The URI is rebuilt from the raw request line, not werkzeug's `request.url`, which decodes `%2B` and
UTF-8 and so changes what an OAuth 1 signature covers.
"""
from flask import Response, request


def oauthlib_request():
    """(uri, http_method, body, headers) of the current Flask request."""
    uri = request.host_url.rstrip('/') + request.environ['RAW_URI']
    return uri, request.method, request.get_data(as_text=True), dict(request.headers)


def flask_response(headers, body, status):
    return Response(body or '', status=status, headers=headers)
