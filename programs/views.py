"""HTML pages: thin shells around the FilterSet, the QuerySets and the services."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import EmptyPage
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, TemplateView

from iopfinder.decorators import drop_empty_parameters
from iopfinder.ratelimits import rate_limit_take

from . import services
from .api import errors_response, wants_json
from .caching import cache_status, search_cache
from .filtersets import ProgramFilterSet
from .forms import CorrectionForm
from .models import Program


@require_GET
def home(request):
    """The home page: one search form (place, radius, need) and "use my location"."""
    filterset = ProgramFilterSet(queryset=Program.objects.none(), request=request)
    return render(
        request,
        "programs/home.html",
        {
            "form": filterset.form,
            "catalogue": Program.objects.published().catalogue_summary(
                stale_after_days=settings.STALE_AFTER_DAYS, today=timezone.localdate()
            ),
        },
    )


@method_decorator(drop_empty_parameters, name="dispatch")
@method_decorator(search_cache, name="dispatch")
class ProgramListView(TemplateView):
    """`/programs/`: search results. Bad filter values re-render the form with the errors."""

    template_name = "programs/program_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = ProgramFilterSet(
            self.request.GET, queryset=Program.objects.published(), request=self.request
        )
        page = unlisted = conditions = None
        if filterset.is_valid():
            try:
                page = filterset.page()
            except EmptyPage:
                raise Http404("That page is past the last page of results.")
            # Conditions first: when the page did not bring the count of `unlisted` (no
            # results), theirs is the statement that does.
            conditions = filterset.conditions(count=page.paginator.count)
            for item in [*conditions["chips"], *conditions["ways_out"]]:
                item["url"] = self._url(item["parameters"])
            unlisted = filterset.unlisted()
            if unlisted:
                unlisted["url"] = self._url(unlisted["parameters"])
        context.update(
            form=filterset.form,
            page_obj=page,
            programs=page.object_list if page else [],
            place=filterset.place,
            unlisted=unlisted,
            conditions=conditions,
            place_suggestions=[
                (label, f"{self.request.path}?{parameters.urlencode()}")
                for label, parameters in filterset.place_suggestions()
            ],
        )
        return context

    def _url(self, parameters):
        query = parameters.urlencode()
        return f"{self.request.path}?{query}" if query else self.request.path


class ProgramDetailView(DetailView):
    """`/programs/<slug>/`: one published program, everything it holds."""

    template_name = "programs/program_detail.html"
    context_object_name = "program"

    def get_queryset(self):
        return Program.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("correction_form", CorrectionForm())
        return context


@require_POST
def correction_create(request, slug):
    """Store a "report incorrect information" form for curators (rate-limited per client)."""
    program = get_object_or_404(Program.objects.published().for_listing(), slug=slug)
    form = CorrectionForm(request.POST)
    status = 200
    if form.is_valid():
        if not rate_limit_take(
            "corrections", request, limit=settings.CORRECTIONS_PER_HOUR, seconds=3600
        ):
            form.add_error(
                None, "You have sent several reports in the last hour. Please try again later."
            )
            status = 429
        else:
            services.correction_create(
                program=program,
                message=form.cleaned_data["message"],
                contact=form.cleaned_data["contact"],
            )
            messages.success(request, "Thank you. A curator will check this listing.")
            return redirect(f"{program.get_absolute_url()}#report")
    else:
        status = 400
    response = render(
        request,
        "programs/program_detail.html",
        {"program": program, "correction_form": form},
        status=status,
    )
    if status == 429:
        response["Retry-After"] = "3600"
    return response


@require_GET
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


@require_GET
def robots_txt(request):
    """Search engines may read program pages; not the admin, the API or endless result pages."""
    sitemap = request.build_absolute_uri(reverse("django.contrib.sitemaps.views.sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /manage/",
        "Disallow: /api/",
        "Disallow: /hsds/",
        "Disallow: /programs/?",
        f"Sitemap: {sitemap}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def page_not_found(request, exception):
    """404: JSON for the API, a plain page otherwise."""
    if wants_json(request):
        return errors_response({"__all__": ["Not found."]}, 404)
    return render(request, "404.html", status=404)


def server_error(request):
    """500: never a stack trace; JSON for the API."""
    if wants_json(request):
        return errors_response({"__all__": ["Something went wrong on our side."]}, 500)
    return HttpResponse(render_to_string("500.html"), status=500)
