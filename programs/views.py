"""HTML pages: thin shells around the FilterSet, the QuerySets and the services."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import DetailView, TemplateView

from iopfinder.admission import admitted
from iopfinder.decorators import tidied_query, typed_place_replaces_point, without_empty_values
from iopfinder.ratelimits import rate_limit_take

from . import caching, services
from .caching import search_cache
from .context_processors import language_alternates
from .filtersets import UNLISTED_FACT_LABELS, ProgramFilterSet, is_wide_search
from .forms import CorrectionForm
from .models import Program


@require_safe
def home(request):
    """The home page: one search form (place, radius, need) and "use my location"."""
    filterset = ProgramFilterSet(queryset=Program.objects.none(), request=request)
    return render(
        request,
        "programs/home.html",
        {
            "form": filterset.form,
            "catalogue": caching.catalogue_summary(),
        },
    )


# What a search's address may hold that its form has no field for: an error in them is
# told beside the results, with the way back to the first page.
PARAMETERS_NOT_IN_THE_FORM = frozenset({"page", "page_size"})


@method_decorator(tidied_query(without_empty_values, typed_place_replaces_point), name="dispatch")
@method_decorator(search_cache, name="dispatch")
@method_decorator(admitted(when=is_wide_search), name="dispatch")
class ProgramListView(TemplateView):
    """`/programs/`: search results. Bad filter values re-render the form with the errors."""

    template_name = "programs/program_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = ProgramFilterSet(
            self.request.GET, queryset=Program.objects.published(), request=self.request
        )
        page = unlisted = conditions = None
        past_last_page = False
        errors = filterset.form.errors
        # Where the form shows no field for what is wrong (a page number in the address) or
        # the page is past the last, the way on is the first page of the same search.
        unmarked = errors and set(errors) <= PARAMETERS_NOT_IN_THE_FORM
        first_page_url = self._url(self._without({"page", *errors})) if unmarked else None
        if filterset.is_valid():
            try:
                page = filterset.page()
            except EmptyPage:
                past_last_page = True
                first_page_url = self._url(self._without({"page"}))
            else:
                conditions, unlisted = self._conditions(filterset, page)
        context.update(
            form=filterset.form,
            first_page_url=first_page_url,
            past_last_page=past_last_page,
            page_obj=page,
            programs=Program.objects.from_documents(page.object_list) if page else [],
            place=filterset.place,
            unlisted=unlisted,
            conditions=conditions,
            place_suggestions=[
                (label, f"{self.request.path}?{parameters.urlencode()}")
                for label, parameters in filterset.place_suggestions()
            ],
        )
        return context

    def _conditions(self, filterset, page):
        """The search's conditions (chips, ways out) and its unlisted programs, with links."""
        # Conditions first: when the page did not bring the count of `unlisted` (no results,
        # without a place), theirs is the statement that does.
        conditions = filterset.conditions(count=page.paginator.count)
        for item in [*conditions["chips"], *conditions["ways_out"]]:
            item["url"] = self._url(item["parameters"])
        unlisted = filterset.unlisted()
        if unlisted:
            unlisted["url"] = self._url(unlisted["parameters"])
            unlisted["facts_text"] = gettext(" or ").join(
                str(UNLISTED_FACT_LABELS[fact]) for fact in unlisted["facts"]
            )
        return conditions, unlisted

    def render_to_response(self, context, **response_kwargs):
        # A page past the last is not found (CONTRACT), shown as the search's own page.
        if context["past_last_page"]:
            response_kwargs["status"] = 404
        return super().render_to_response(context, **response_kwargs)

    def _url(self, parameters):
        query = parameters.urlencode()
        return f"{self.request.path}?{query}" if query else self.request.path

    def _without(self, names):
        parameters = self.request.GET.copy()
        for name in names:
            parameters.pop(name, None)
        return parameters


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
                None,
                ValidationError(
                    _("You have sent several reports in the last hour. Please try again later."),
                    code="rate_limited",
                ),
            )
            status = 429
        else:
            services.correction_create(
                program=program,
                message=form.cleaned_data["message"],
                contact=form.cleaned_data["contact"],
            )
            messages.success(request, _("Thank you. A curator will check this listing."))
            return redirect(f"{program.get_absolute_url()}#report")
    else:
        status = 400
    response = render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "correction_form": form,
            # The other language's link: the program's page, not this POST-only address.
            "language_alternates": language_alternates(request, program.get_absolute_url()),
        },
        status=status,
    )
    if status == 429:
        response["Retry-After"] = "3600"
    return response
