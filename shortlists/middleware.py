"""A CSRF token that survives the search cache.

Result pages are cached by URL (programs.caching) and shared by every visitor, but their
"Add to shortlist" forms need each visitor's own CSRF token. The forms hold a placeholder
(`shortlists.html.csrf_input`); this middleware puts the visitor's token in its place on the
way out, cached response or not, which also sets the CSRF cookie.
"""

from django.middleware.csrf import get_token

CSRF_PLACEHOLDER = "__shortlist_csrf_token__"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()


class CsrfTokenPlaceholderMiddleware:
    """Replaces CSRF_PLACEHOLDER in HTML responses with the request's CSRF token.

    Listed after CsrfViewMiddleware, so that the cookie the token needs is set on the way out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.streaming
            or not response.get("Content-Type", "").startswith("text/html")
            or _PLACEHOLDER_BYTES not in response.content
        ):
            return response
        response.content = response.content.replace(_PLACEHOLDER_BYTES, get_token(request).encode())
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
