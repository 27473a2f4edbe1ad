"""Responses every part of the site gives the same way: the JSON error document."""

from django.http import JsonResponse

JSON_PATH_PREFIXES = ("/api/", "/hsds/")


def wants_json(request):
    """Whether the request is for the JSON API or HSDS, whose errors are JSON too."""
    return request.path.startswith(JSON_PATH_PREFIXES)


def errors_response(errors, status, suggestions=None):
    """The contract's error document, `{"errors": {"<parameter>": ["<message>", ...]}}`, with
    `"suggestions": {"<parameter>": [...]}` when a value may mean several things."""
    document = {"errors": errors}
    if suggestions:
        document["suggestions"] = suggestions
    return JsonResponse(document, status=status)
