"""HSDS 3.0 endpoints: a page of services, and one service."""

from django import forms
from django.core.paginator import EmptyPage, Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from iopfinder.admission import admitted
from iopfinder.database import read_snapshot
from iopfinder.responses import errors_response

from ..models import Program
from .documents import service_document, service_item

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


class DigitsField(forms.IntegerField):
    """A whole number in ASCII digits: HSDS clients are programs, and "١" or "３" from one is
    a mistake to report, not a page number to guess."""

    def to_python(self, value):
        if value not in self.empty_values and not str(value).isascii():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class PageForm(forms.Form):
    """HSDS's paging parameters."""

    page = DigitsField(min_value=1, max_value=100_000, required=False)
    per_page = DigitsField(min_value=1, max_value=MAX_PER_PAGE, required=False)


@require_safe
@admitted()
def service_list(request):
    """`/hsds/services/`: a Page of services (HSDS `service_list.json` items)."""
    form = PageForm(request.GET)
    if not form.is_valid():
        return errors_response(form.errors, 400)
    page_number = form.cleaned_data["page"] or 1
    per_page = form.cleaned_data["per_page"] or DEFAULT_PER_PAGE
    # The page's keys first, from the index of published slugs, then their programs: an
    # OFFSET over the programs joined to their providers read every row it skipped (the last
    # of 500 pages of 200 took 170 ms at 100,000 programs). In one snapshot, so that the
    # count, the keys and the programs agree.
    keys = Program.objects.published().order_by("slug").values_list("pk", flat=True)
    paginator = Paginator(keys, per_page)
    with read_snapshot():
        try:
            page = paginator.page(page_number)
        except EmptyPage:
            return errors_response({"page": ["That page is past the last page."]}, 404)
        programs = list(
            Program.objects.filter(pk__in=list(page.object_list))
            .select_related("provider")
            .prefetch_related("terms")
            .order_by("slug")
        )
    return JsonResponse(
        {
            "total_items": paginator.count,
            "total_pages": paginator.num_pages,
            "page_number": page.number,
            "size": len(programs),
            "first_page": page.number == 1,
            "last_page": not page.has_next(),
            "empty": paginator.count == 0,
            "contents": [service_item(program, request) for program in programs],
        }
    )


@require_safe
def service_detail(request, service_id):
    """`/hsds/services/<id>/`: one published program as a fully nested HSDS service."""
    program = get_object_or_404(Program.objects.published().for_listing(), uuid=service_id)
    return JsonResponse(service_document(program, request))
