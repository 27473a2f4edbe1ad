"""Site-wide views: health, robots.txt and the error pages."""

from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from programs.sitemaps import ProgramSitemap

from .cache import cache_status
from .responses import errors_response, wants_json


@require_safe
@cache_control(no_store=True)
def healthz(request):
    """`{"status": "ok"}` when the database answers, 503 otherwise.

    `cache` says whether the search cache answers ("ok" or "down"): without it the site is
    slower, not broken, so a load balancer should keep sending traffic.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "cache": cache_status()})


@require_safe
def robots_txt(request):
    """Search engines may read program pages; not the admin, the API or endless result pages.
    Every page of the sitemap is listed: /sitemap.xml holds the first page of programs."""
    sitemaps = [request.build_absolute_uri(reverse("django.contrib.sitemaps.views.sitemap"))]
    programs = request.build_absolute_uri(reverse("sitemap_section", args=["programs"]))
    try:
        pages = ProgramSitemap().paginator.num_pages
    except DatabaseError:  # a 5xx here reads to crawlers as "disallow everything"
        pages = 1
    sitemaps += [f"{programs}?p={page}" for page in range(2, pages + 1)]
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /manage/",
        "Disallow: /api/",
        "Disallow: /hsds/",
        "Disallow: /programs/?",
        "Disallow: /es/programs/?",
        *[f"Sitemap: {sitemap}" for sitemap in sitemaps],
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def page_not_found(request, exception):
    """404: JSON for the API, a plain page otherwise."""
    if wants_json(request):
        return errors_response({"__all__": ["Not found."]}, 404)
    return render(request, "404.html", status=404)


def csrf_failure(request, reason=""):
    """403 for a form sent without its token (an old page, cookies off): JSON for the API,
    else a page in the visitor's language saying what to do, not Django's English one."""
    if wants_json(request):
        return errors_response(
            {"__all__": ["The API takes GET and HEAD only; this request was refused."]}, 403
        )
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """500: never a stack trace; JSON for the API."""
    if wants_json(request):
        return errors_response({"__all__": ["Something went wrong on our side."]}, 500)
    return HttpResponse(render_to_string("500.html"), status=500)
