"""Writes for program staff: invitations, sign-in links, their changes, review, reminders."""

import datetime
import logging
import smtplib
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from sesame.utils import get_query_string

from programs import services as catalogue
from programs.models import Program, Provider, Track
from programs.sources.base import zip_location
from programs.term_kinds import TERM_KINDS

from .models import Membership, PendingChange, VerificationReminder

# Facts that mislead most when wrong: a program's changes to them wait for a curator.
REVIEWED_FIELDS = [
    "name",
    "street",
    "city",
    "state",
    "zip",
    "phone",
    "intake_phone",
    "website",
    "format",
    "virtual_states",
]
# Facts a program's change to goes live at once.
LIVE_FIELDS = [
    "description",
    "treats_substance_use",
    "treats_mental_health",
    "co_occurring",
    "min_age",
    "max_age",
    "availability",
    "waitlist_weeks",
]
TERM_FIELDS = {kind.field: kind.kind for kind in TERM_KINDS}
logger = logging.getLogger(__name__)
ADDRESS_FIELDS = {"street", "city", "state", "zip"}


class InviteError(ValueError):
    """The address cannot be invited (it belongs to a curator's account)."""


def _site_url(base_url):
    return (base_url or settings.SITE_URL).rstrip("/")


def sign_in_link(user, *, base_url=None) -> str:
    """A one-time link that signs `user` in at /manage/ (valid SESAME_MAX_AGE seconds)."""
    return f"{_site_url(base_url)}{reverse('manage:sign_in')}{get_query_string(user)}"


def _mail(user, template, context) -> bool:
    """Send one email; False when the mail server refused it or could not be reached (logged
    by the error's kind only: its message can hold the address)."""
    subject, _, body = render_to_string(template, context).strip().partition("\n")
    try:
        send_mail(subject.strip(), body.strip() + "\n", None, [user.email])
    except (smtplib.SMTPException, OSError) as error:
        logger.error("Mail %s not sent: %s.", template, type(error).__name__)
        return False
    return True


class Invitation(NamedTuple):
    membership: Membership
    link: str  # the one-time sign-in link the email holds
    sent: bool  # whether the mail server took the email
    new_account: bool  # whether the invitation made the account (no other provider's staff)


@transaction.atomic
def staff_invite(
    *, provider: Provider, email: str, invited_by=None, base_url: str | None = None
) -> Invitation:
    """Give the person at `email` the keeping of `provider`'s listings, and email them a
    one-time sign-in link. An invitation stands when the mail server is down: whoever invited
    can pass the link on, if the account is new (an existing one may keep other providers'
    listings, and its link would sign in as them)."""
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and (user.is_staff or user.is_superuser):
        # A sign-in link for an admin account would open the admin to whoever reads the mail.
        raise InviteError("That address belongs to a curator's account; invite another.")
    new_account = user is None
    if new_account:
        user = User(username=email[:150], email=email)
        user.set_unusable_password()
        user.save()
    membership, _ = Membership.objects.get_or_create(
        user=user, provider=provider, defaults={"invited_by": invited_by}
    )
    link = sign_in_link(user, base_url=base_url)
    sent = _mail(
        user,
        "staff/email/invitation.txt",
        {"provider": provider, "link": link, "days": settings.SESAME_MAX_AGE // 86400},
    )
    return Invitation(membership, link, sent, new_account)


def sign_in_link_send(*, user, base_url=None) -> bool:
    """Email a new one-time sign-in link to program staff who asked for one (False: not sent)."""
    return _mail(
        user,
        "staff/email/sign_in.txt",
        {
            "link": sign_in_link(user, base_url=base_url),
            "days": settings.SESAME_MAX_AGE // 86400,
        },
    )


def programs_kept_by(user) -> QuerySet[Program]:
    """The listings `user` keeps: every program of the providers they belong to."""
    return Program.objects.filter(provider__memberships__user=user).distinct()


def field_value(program, name):
    """A reviewed field's value as PendingChange stores it (JSON)."""
    if name == "state":
        return program.state_id
    if name == "virtual_states":
        return sorted(state.code for state in program.virtual_states.all())
    return getattr(program, name)


def _cleaned_value(data, name):
    value = data[name]
    if name == "state":
        return value.code if value is not None else None
    if name == "virtual_states":
        return sorted(state.code for state in value)
    return value


@transaction.atomic
def program_details_submit(*, program: Program, user, data: dict) -> PendingChange | None:
    """Apply a program's edit of its listing: LIVE_FIELDS and terms at once, REVIEWED_FIELDS
    as a change waiting for a curator (merged into the one already waiting, if any)."""
    program = Program.objects.select_for_update().get(pk=program.pk)
    program._history_user = user
    program._change_reason = "Changed by the program."
    # An availability left "Not listed" (ProgramDetailsForm) keeps what the listing holds.
    stated = bool(data["availability"])
    data = {**data, "availability": data["availability"] or program.availability}
    live = [name for name in LIVE_FIELDS if getattr(program, name) != data[name]]
    for name in live:
        setattr(program, name, data[name])
    if stated and (not program.availability_listed or Program.OPENINGS_FIELDS & {*live}):
        # The program said whether it takes patients: the listing shows it from now on, even
        # as the "open" an import holds (Program.availability_listed).
        program.availability_stated = timezone.localdate()
        live.append("availability_stated")
    if live:
        program.save()
    wanted_terms = {term.pk for name in TERM_FIELDS for term in data[name]}
    if wanted_terms != set(program.terms.values_list("pk", flat=True)):
        program.terms.set(wanted_terms)
        Program.objects.filter(pk=program.pk).update(updated=timezone.now())

    changes = {
        name: _cleaned_value(data, name)
        for name in REVIEWED_FIELDS
        if _cleaned_value(data, name) != field_value(program, name)
    }
    waiting = program.pending_changes.filter(status=PendingChange.Status.PENDING).first()
    if waiting is not None:
        # What is asked now replaces what was asked before, field by field.
        merged = {
            name: value
            for name, value in waiting.changes.items()
            if name in changes or name not in REVIEWED_FIELDS
        }
        merged = {**merged, **changes}
        if not merged:
            waiting.delete()
            return None
        waiting.changes = merged
        waiting.previous = {name: field_value(program, name) for name in merged}
        waiting.submitted_by = user
        waiting.save()
        return waiting
    if not changes:
        return None
    return PendingChange.objects.create(
        program=program,
        changes=changes,
        previous={name: field_value(program, name) for name in changes},
        submitted_by=user,
    )


class ReviewError(ValueError):
    """The change was already approved or rejected."""


def _check_pending(change):
    status = PendingChange.objects.select_for_update().values_list("status", flat=True)
    if status.get(pk=change.pk) != PendingChange.Status.PENDING:
        raise ReviewError("This change was already reviewed.")


@transaction.atomic
def pending_change_approve(*, change: PendingChange, user, note: str = "") -> Program:
    """Apply a program's waiting change to its listing, by `user` (a curator)."""
    _check_pending(change)
    program = Program.objects.select_for_update().get(pk=change.program_id)
    values = dict(change.changes)
    for name, value in values.items():
        if name == "state":
            program.state_id = value
        elif name != "virtual_states":
            setattr(program, name, value)
    if ADDRESS_FIELDS & set(values):
        # A new address: the marker moves to the ZIP's centre until geocoded again.
        try:
            program.latitude, program.longitude, zone = zip_location(program.zip)
        except ValueError:
            pass
        else:
            program.location_precision = Program.LocationPrecision.ZIP
            program.time_zone = zone or program.time_zone
    submitter = change.submitted_by.email if change.submitted_by else "the program"
    program._history_user = user
    program._change_reason = f"Approved change asked for by {submitter}."
    program.save()
    if "virtual_states" in values:
        program.virtual_states.set(values["virtual_states"])
    if program.format == Program.Format.IN_PERSON:
        program.virtual_states.clear()
    change.status = PendingChange.Status.APPROVED
    change.reviewed_by = user
    change.reviewed_at = timezone.now()
    change.note = note
    change.save()
    _decision_mail(change, program)
    return program


@transaction.atomic
def pending_change_reject(*, change: PendingChange, user, note: str = "") -> PendingChange:
    """Turn down a program's waiting change; the listing stays as it is."""
    _check_pending(change)
    change.status = PendingChange.Status.REJECTED
    change.reviewed_by = user
    change.reviewed_at = timezone.now()
    change.note = note
    change.save()
    _decision_mail(change, change.program)
    return change


def _decision_mail(change, program):
    """Tell the person who asked for a change what a curator decided, once it is committed."""
    submitter = change.submitted_by
    if submitter is None or not submitter.email or not submitter.is_active:
        return
    context = {"change": change, "program": program}
    transaction.on_commit(lambda: _mail(submitter, "staff/email/decision.txt", context))


def verification_reminders_send(*, today: datetime.date | None = None, base_url=None) -> int:
    """Email the staff of every listing not verified for VERIFICATION_REMINDER_DAYS, one email
    a person listing theirs; a listing is not mentioned to the same person again within
    VERIFICATION_REMINDER_REPEAT_DAYS. Returns how many emails were sent."""
    today = today or timezone.localdate()
    stale = (
        Program.objects.exclude(status=Program.Status.ARCHIVED)
        .needing_verification(settings.VERIFICATION_REMINDER_DAYS, today)
        .order_by("name", "pk")
    )
    recent = today - datetime.timedelta(days=settings.VERIFICATION_REMINDER_REPEAT_DAYS - 1)
    reminded = set(
        VerificationReminder.objects.filter(sent_on__gte=recent).values_list("user", "program")
    )
    memberships = Membership.objects.filter(
        user__is_active=True, provider__programs__in=stale
    ).select_related("user")
    users = {membership.user_id: membership.user for membership in memberships}
    sent = 0
    for user in users.values():
        programs = [
            program
            for program in stale.filter(provider__memberships__user=user).distinct()
            if (user.pk, program.pk) not in reminded
        ]
        if not programs or not user.email:
            continue
        with transaction.atomic():
            VerificationReminder.objects.bulk_create(
                VerificationReminder(user=user, program=program, sent_on=today)
                for program in programs
            )
            delivered = _mail(
                user,
                "staff/email/verification_reminder.txt",
                {
                    "programs": programs,
                    "link": sign_in_link(user, base_url=base_url),
                    "days": settings.VERIFICATION_REMINDER_DAYS,
                },
            )
            # Not sent, not recorded: the next run tries again.
            transaction.set_rollback(not delivered)
        sent += delivered
    return sent


@transaction.atomic
def track_save(*, program: Program, track: Track | None, name: str, sessions, user) -> Track:
    """Name a track (a new one when `track` is None) and replace its weekly sessions."""
    if track is None:
        last = program.tracks.order_by("-position").values_list("position", flat=True).first()
        track = Track(program=program, position=0 if last is None else last + 1)
    track.name = name
    track._history_user = user
    track.save()
    catalogue.track_schedule_set(track=track, sessions=sessions, user=user)
    return track


@transaction.atomic
def track_delete(*, track: Track, user) -> None:
    """Remove a track and its sessions (the history keeps them)."""
    program_id = track.program_id
    track._history_user = user
    track.delete()
    Program.objects.filter(pk=program_id).update(updated=timezone.now())
