"""The JSON API: the same search as the results page, and one program."""

from django.core.paginator import EmptyPage
from django.http import Http404
from django.views.decorators.http import require_safe

from iopfinder.admission import admitted
from iopfinder.responses import errors_response, fast_json_response

from .caching import search_cache
from .filtersets import ProgramFilterSet, is_wide_search
from .links import slug_url
from .models import Program
from .serializers import program_to_dict


def _site(request):
    """The site's address as the request names it ("https://example.org"), for addresses of
    pages built once a request: build_absolute_uri split and re-encoded each program's, a
    twentieth of an API call."""
    return request.build_absolute_uri("/")[:-1]


def _program_json(request, document, site=None):
    # A program's address is already encoded (slug_url): the site's is put in front as is.
    url = slug_url("programs:detail", document.program["slug"])
    return program_to_dict(document, url=f"{site or _site(request)}{url}")


def _page_url(request, page_number):
    query = request.GET.copy()
    query["page"] = page_number
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _unlisted_json(request, unlisted):
    if unlisted is None:
        return None
    query = unlisted["parameters"].urlencode()
    return {
        "count": unlisted["count"],
        "url": request.build_absolute_uri(f"{request.path}?{query}" if query else request.path),
    }


@require_safe
@search_cache
@admitted(when=is_wide_search)
def program_list(request):
    """`/api/programs/`: a page of search results, or 400 with errors by parameter."""
    filterset = ProgramFilterSet(request.GET, queryset=Program.objects.published(), request=request)
    # A parameter the API does not know must not quietly return everything (CONTRACT).
    unknown = {name: ["Unknown parameter."] for name in filterset.unknown_parameters()}
    if unknown or not filterset.is_valid():
        places = [label for label, _ in filterset.place_suggestions()] if not unknown else []
        errors = {**(filterset.error_dict() if not unknown else {}), **unknown}
        return errors_response(errors, 400, {"near": places} if places else None)
    try:
        page = filterset.page()
    except EmptyPage:
        return errors_response({"page": ["That page is past the last page of results."]}, 404)
    place, site = filterset.place, _site(request)
    return fast_json_response(
        {
            "count": page.paginator.count,
            "page": page.number,
            "page_size": page.paginator.per_page,
            "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
            "previous": _page_url(request, page.previous_page_number())
            if page.has_previous()
            else None,
            "place": place.as_dict() if place else None,
            "unlisted": _unlisted_json(request, filterset.unlisted()),
            "results": [_program_json(request, program, site) for program in page.object_list],
        }
    )


@require_safe
def program_detail(request, slug):
    """`/api/programs/<slug>/`: one published program."""
    documents = Program.objects.published().filter(slug=slug).listing_documents()
    if not documents:
        raise Http404("No published program has this address.")
    return fast_json_response(_program_json(request, documents[0]))
