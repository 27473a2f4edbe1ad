"""The shortlist pages: thin shells around the session store, the facts and the CSV export."""

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST, require_safe

from iopfinder.admission import admitted
from programs.filtersets import ProgramFilterSet, is_wide_search
from programs.models import Program

from .exports import programs_csv_response
from .facts import comparison_rows
from .storage import (
    MAX_PROGRAMS,
    Entry,
    SearchPlace,
    Shortlist,
    shared_entries,
    shortlisted_programs,
)

SEARCH_CSV_MAX_ROWS = 500
SHEET_PROGRAMS_PER_PAGE = 4
private = cache_control(private=True, no_store=True)


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _shortlist(request):
    """The programs on show: a shared link's (`?p=`) or the visitor's own, with notes about
    what was skipped. A shared link never changes the visitor's own shortlist."""
    # The shortlist page's own "sheet of the ticked programs" sends its ticks with `ticked`:
    # the visitor's own entries (and the places they were added from), not a shared list.
    ticked = "ticked" in request.GET
    shared = "p" in request.GET and not ticked
    own = Shortlist(request.session).entries
    if ticked:
        wanted = {slug for value in request.GET.getlist("p") for slug in value.split(",")}
        entries = [entry for entry in own if entry.slug in wanted]
        notes = [] if entries else [_("Tick at least one program to put on the sheet.")]
    elif shared:
        # The link holds no place; programs also on the visitor's own list keep theirs.
        places = {entry.slug: entry.place for entry in own}
        entries, notes = shared_entries(request.GET.getlist("p"))
        entries = [Entry(entry.slug, places.get(entry.slug)) for entry in entries]
    else:
        entries, notes = own, []
    programs, missing = shortlisted_programs(entries)
    if missing:
        notes.append(
            _("Skipped, not (or no longer) listed: %(slugs)s.") % {"slugs": ", ".join(missing)}
        )
        if not shared:
            Shortlist(request.session).keep_only({program.slug for program in programs})
    return {
        "programs": programs,
        "notes": notes,
        "shared": shared,
        # Links between the list, compare, sheet and CSV keep showing a shared list.
        "list_query": "?p=" + ",".join(program.slug for program in programs) if shared else "",
        "max_programs": MAX_PROGRAMS,
    }


def _share_links(request, programs):
    """The link anyone can open, and a mailto: link whose body lists the programs."""
    share_url = request.build_absolute_uri(
        reverse("shortlists:detail") + "?p=" + ",".join(program.slug for program in programs)
    )
    lines = [_("Intensive outpatient programs to consider:"), ""]
    for program in programs:
        # The provider and the town tell apart the many listings SAMHSA's directory names
        # just "Intensive Outpatient Program".
        lines.append(f"{program.name}, {program.provider.name}")
        lines.append(f"{program.city}, {program.state_id}")
        phones = [program.intake_phone and _("Intake: %s") % program.intake_phone]
        phones.append(program.phone and _("Phone: %s") % program.phone)
        lines.extend(phone for phone in phones if phone)
        lines.extend([request.build_absolute_uri(program.get_absolute_url()), ""])
    lines.append(_("The whole list: %s") % share_url)
    subject = _("Intensive outpatient programs")
    mailto = f"mailto:?subject={quote(subject)}&body={quote(chr(10).join(lines))}"
    return share_url, mailto


@require_safe
@private
def shortlist_detail(request):
    """`/shortlist/`: the visitor's shortlist with remove buttons, or a shared list (`?p=`).
    Asked for JSON, the slugs on the visitor's own list: cached result pages are the same for
    everyone, and their script marks the programs this visitor has added."""
    if _wants_json(request):
        slugs = [entry.slug for entry in Shortlist(request.session).entries]
        response = JsonResponse({"slugs": slugs, "count": len(slugs)})
        patch_vary_headers(response, ["Accept"])
        return response
    context = _shortlist(request)
    if context["programs"]:
        context["share_url"], context["mailto"] = _share_links(request, context["programs"])
    back = request.GET.get("back", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        context["back_url"] = back
    return render(request, "shortlists/shortlist.html", context)


def _search_place(request):
    return SearchPlace.from_data(
        {
            "label": request.POST.get("from_label"),
            "lat": request.POST.get("from_lat"),
            "lng": request.POST.get("from_lng"),
        }
    )


def _back_query(request):
    """The way back to the visitor's search, carried in the redirect's URL (never stored on
    the server: a search says what someone is being treated for)."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return "?" + urlencode({"back": back})
    return ""


@require_POST
def shortlist_add(request, slug):
    """Add a published program (404 otherwise). With JavaScript the answer is JSON; without,
    the visitor lands on the shortlist, which says what happened."""
    program = get_object_or_404(Program.objects.published().only("pk", "slug", "name"), slug=slug)
    shortlist = Shortlist(request.session)
    added = shortlist.add(program.slug, _search_place(request))
    if added:
        message = _("%(name)s is on your shortlist.") % {"name": program.name}
    else:
        message = _("Your shortlist is full (%(max)d programs). Remove one to add %(name)s.") % {
            "max": MAX_PROGRAMS,
            "name": program.name,
        }
    if _wants_json(request):
        return JsonResponse(
            {"added": added, "count": len(shortlist), "message": message},
            status=200 if added else 409,
        )
    (messages.success if added else messages.error)(request, message)
    return redirect(reverse("shortlists:detail") + _back_query(request))


@require_POST
def shortlist_remove(request, slug):
    """Remove a program from the visitor's shortlist (404 for a program that does not exist)."""
    shortlist = Shortlist(request.session)
    if slug not in shortlist and not Program.objects.filter(slug=slug).exists():
        raise Http404("No such program.")
    shortlist.remove(slug)
    if _wants_json(request):
        return JsonResponse({"removed": True, "count": len(shortlist)})
    return redirect("shortlists:detail")


@require_POST
def shortlist_save(request):
    """Add a shared list's programs to the visitor's own shortlist, up to its limit."""
    entries, _notes = shared_entries(request.POST.getlist("p"))
    programs, _missing = shortlisted_programs(entries)
    shortlist = Shortlist(request.session)
    refused = [program.name for program in programs if not shortlist.add(program.slug)]
    if refused:
        messages.error(
            request,
            _("Your shortlist is full (%(max)d programs); not added: %(names)s.")
            % {"max": MAX_PROGRAMS, "names": ", ".join(refused)},
        )
    else:
        messages.success(request, _("Saved to your shortlist."))
    return redirect("shortlists:detail")


@require_POST
def shortlist_clear(request):
    """Empty the visitor's shortlist."""
    Shortlist(request.session).clear()
    return redirect("shortlists:detail")


@require_safe
@private
def shortlist_compare(request):
    """`/shortlist/compare/`: the programs side by side, one column a program."""
    context = _shortlist(request)
    context["rows"] = comparison_rows(context["programs"])
    return render(request, "shortlists/compare.html", context)


@require_safe
@private
def shortlist_sheet(request):
    """`/shortlist/sheet/`: a referral sheet for paper, four programs a printed page."""
    context = _shortlist(request)
    programs = context["programs"]
    context["pages"] = [
        {"start": start + 1, "programs": programs[start : start + SHEET_PROGRAMS_PER_PAGE]}
        for start in range(0, len(programs), SHEET_PROGRAMS_PER_PAGE)
    ]
    context["printed_on"] = timezone.localdate()
    return render(request, "shortlists/sheet.html", context)


@require_safe
@private
def shortlist_csv(request):
    """`/shortlist.csv`: the shortlist (or a shared list, `?p=`) as CSV."""
    return programs_csv_response(request, _shortlist(request)["programs"], "shortlist.csv")


@require_safe
@admitted(when=is_wide_search)
def program_list_csv(request):
    """`/programs.csv`: a search's results as CSV, parsed by the results page's FilterSet;
    at most SEARCH_CSV_MAX_ROWS rows. Bad parameters get a 400 that says what is wrong."""
    filterset = ProgramFilterSet(request.GET, queryset=Program.objects.published(), request=request)
    if not filterset.is_valid():
        lines = [f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items()]
        return HttpResponseBadRequest(
            "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
        )
    programs = filterset.qs.first_for_listing(SEARCH_CSV_MAX_ROWS)
    if filterset.place is not None:
        for program in programs:
            program.distance_from = filterset.place.label
    return programs_csv_response(request, programs, "programs.csv")
