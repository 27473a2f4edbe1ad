"""`/manage/`: program staff keep their own listings, and only those."""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.db.models import Prefetch
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from iopfinder.ratelimits import keyed_hash, rate_limit_take, rate_limit_take_for
from programs import services as catalogue
from programs.forms import TrackOpeningsForm
from programs.models import ASAM_ADULT_WEEKLY_HOURS, Program, Session, Track

from . import services
from .forms import ProgramDetailsForm, SignInLinkRequestForm, TrackScheduleForm
from .models import Membership, PendingChange


def staff_required(view):
    """Signed-in program staff only; everyone else is sent to the sign-in page."""

    @functools.wraps(view)
    @never_cache
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect("manage:sign_in")
        if user.is_staff or not Membership.objects.filter(user=user).exists():
            return render(request, "staff/no_listings.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _program(request, slug):
    """One of the signed-in person's listings, or 404 (another provider's listing too)."""
    queryset = services.programs_kept_by(request.user).select_related("provider", "state")
    return get_object_or_404(
        queryset.prefetch_related(
            "terms",
            "virtual_states",
            Prefetch("tracks", queryset=Track.objects.prefetch_related("sessions")),
        ),
        slug=slug,
    )


def _track(program, pk):
    return get_object_or_404(Track.objects.prefetch_related("sessions"), program=program, pk=pk)


# Signing in and out


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request):
    """A sign-in link lands here. GET only shows a button: mail scanners that open links
    must not use up a one-time link. POST with the token signs in; POST with an email asks
    for a new link (rate-limited)."""
    token = request.POST.get("sesame") or request.GET.get("sesame")
    if request.method == "POST" and "sesame" in request.POST:
        user = authenticate(request, sesame=request.POST["sesame"])
        if user is not None and user.is_active and not user.is_staff and user.memberships.exists():
            login(request, user)
            request.session.set_expiry(settings.STAFF_SESSION_SECONDS)
            return redirect("manage:index")
        return render(
            request,
            "staff/sign_in.html",
            {"form": SignInLinkRequestForm(), "link_failed": True},
            status=400,
        )
    form = SignInLinkRequestForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound and form.is_valid():
        email = form.cleaned_data["email"].lower()
        limit = settings.SIGN_IN_LINKS_PER_HOUR
        # Per address and per email, counted in the database across app servers.
        if not rate_limit_take("signin", request, limit=limit, seconds=3600) or not (
            rate_limit_take_for("signin-email", keyed_hash(email), limit=limit, seconds=3600)
        ):
            form.add_error(None, _("Too many requests for a link. Please try again in an hour."))
            status = 429
        else:
            user = (
                Membership.objects.filter(
                    user__email__iexact=email, user__is_active=True, user__is_staff=False
                )
                .select_related("user")
                .first()
            )
            if user is not None:
                services.sign_in_link_send(user=user.user, base_url=request.build_absolute_uri("/"))
            # The same answer whoever asks: it must not tell who keeps listings here.
            messages.success(
                request,
                _("If that address belongs to program staff, a sign-in link is on its way."),
            )
            return redirect("manage:sign_in")
    elif form.is_bound:
        status = 400
    return render(request, "staff/sign_in.html", {"form": form, "token": token}, status=status)


@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("manage:sign_in")


# Listings


@staff_required
def index(request):
    """The signed-in person's listings."""
    programs = (
        services.programs_kept_by(request.user)
        .select_related("provider", "state")
        .order_by("provider__name", "name")
    )
    return render(request, "staff/index.html", {"programs": programs})


def _program_page(request, program, forms=None, status=200):
    forms = forms or {}
    tracks = []
    for track in program.tracks.all():
        form = forms.get(track.pk) or TrackOpeningsForm(instance=track, prefix=f"track-{track.pk}")
        low, high = ASAM_ADULT_WEEKLY_HOURS
        tracks.append(
            {
                "track": track,
                "form": form,
                "outside_asam": bool(track.sessions.all())
                and not low <= track.hours_per_week <= high,
            }
        )
    pending = program.pending_changes.filter(status=PendingChange.Status.PENDING).first()
    return render(
        request,
        "staff/program.html",
        {
            "program": program,
            "tracks": tracks,
            "pending": pending,
            "pending_rows": _pending_rows(pending),
            "decisions": program.pending_changes.exclude(status=PendingChange.Status.PENDING)[:3],
            "asam": ASAM_ADULT_WEEKLY_HOURS,
        },
        status=status,
    )


def _pending_rows(pending):
    """A waiting change as (field label, value asked for) pairs."""
    if pending is None:
        return []
    rows = []
    for name, value in pending.changes.items():
        if isinstance(value, list):
            value = ", ".join(value) or "–"
        rows.append((Program._meta.get_field(name).verbose_name, value if value else "–"))
    return rows


@staff_required
def program_detail(request, slug):
    """A listing: tracks with their openings, what waits for review, "still accurate"."""
    return _program_page(request, _program(request, slug))


@staff_required
def program_verify(request, slug):
    """ "Everything here is still accurate": verified today, by the program."""
    program = _program(request, slug)  # another provider's program is 404 whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    catalogue.program_verify_by_provider(program=program, user=request.user)
    messages.success(request, _("Thank you. The listing now shows it was checked today."))
    return redirect("manage:program", slug=program.slug)


@staff_required
def track_availability(request, slug, pk):
    """Openings, next start and rolling admission of one track; saving confirms them today."""
    program = _program(request, slug)
    track = _track(program, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = TrackOpeningsForm(request.POST, instance=track, prefix=f"track-{track.pk}")
    if not form.is_valid():
        track.refresh_from_db()  # the form put the refused values on it
        program = _program(request, slug)
        return _program_page(request, program, {track.pk: form}, status=400)
    form.state(request.user)
    messages.success(request, _("Openings saved and confirmed today."))
    return redirect(f"{reverse('manage:program', args=[program.slug])}#track-{track.pk}")


@staff_required
@require_http_methods(["GET", "POST"])
def program_details(request, slug):
    """Everything but the tracks; name, address, phones, website and format wait for review."""
    program = _program(request, slug)
    form = ProgramDetailsForm(request.POST or None, instance=program)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            change = services.program_details_submit(
                program=program, user=request.user, data=form.cleaned_data
            )
            messages.success(request, _("Your changes are saved."))
            if change is not None:
                messages.info(
                    request,
                    _(
                        "Changes to the name, address, phones, website or format are shown "
                        "once a curator has checked them."
                    ),
                )
            return redirect("manage:program", slug=program.slug)
        status = 400
    pending = program.pending_changes.filter(status=PendingChange.Status.PENDING).first()
    return render(
        request,
        "staff/program_details.html",
        {"program": program, "form": form, "pending_rows": _pending_rows(pending)},
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def track_edit(request, slug, pk=None):
    """A track's name and weekly sessions (add one when `pk` is None)."""
    program = _program(request, slug)
    track = _track(program, pk) if pk is not None else None
    form = TrackScheduleForm(request.POST or None, program=program, track=track)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            track = services.track_save(
                program=program,
                track=track,
                name=form.cleaned_data["name"],
                sessions=form.sessions,
                user=request.user,
            )
            messages.success(request, _("Schedule saved."))
            return redirect(f"{reverse('manage:program', args=[program.slug])}#track-{track.pk}")
        status = 400
    return render(
        request,
        "staff/track_form.html",
        {"program": program, "track": track, "form": form, "days": Session.Day.choices},
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def track_delete(request, slug, pk):
    program = _program(request, slug)
    track = _track(program, pk)
    if request.method == "POST":
        services.track_delete(track=track, user=request.user)
        messages.success(request, _("Track removed."))
        return redirect("manage:program", slug=program.slug)
    return render(request, "staff/track_delete.html", {"program": program, "track": track})
