"""Writes to listings: schedules, publishing, archiving, verifying, availability."""

import datetime

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import Program, Session, Track


@transaction.atomic
def track_schedule_set(
    *,
    track: Track,
    sessions: list[tuple[int, datetime.time, datetime.time]],
    user: AbstractBaseUser | None = None,
) -> None:
    """Replace a track's weekly sessions with `sessions` (day 0 = Monday, start, end)."""
    track.sessions.all().delete()
    bulk_create_with_history(
        [Session(track=track, day=day, start=start, end=end) for day, start, end in sessions],
        Session,
        default_user=user,
    )
    # Cached searches are keyed by the last change of any program.
    Program.objects.filter(pk=track.program_id).update(updated=timezone.now())


def program_version(program) -> str:
    """What a form remembers of the listing it loaded, to notice a change saved since (any
    write to a listing moves its `updated`)."""
    return program.updated.isoformat() if program.updated else ""


def _programs_update(*, programs, user=None, reason="", **fields):
    """Set `fields` on every program, with one history record each (who and why)."""
    programs = list(programs)
    fields["updated"] = timezone.now()
    for program in programs:
        for name, value in fields.items():
            setattr(program, name, value)
    if programs:
        bulk_update_with_history(
            programs, Program, list(fields), default_user=user, default_change_reason=reason
        )
        program_history_terms_record([program.pk for program in programs])
    return programs


def program_history_terms_record(program_ids):
    """Copy each program's terms and licensed states into its newest history record.

    simple_history's bulk writes record a program's fields only: the history page read the
    empty sets as every therapy, payment and state removed by whoever verified or published
    the listing, and added back by the next curator who saved it."""
    History = Program.history.model
    newest = dict(
        History.objects.filter(id__in=program_ids)
        .values("id")
        .annotate(newest=Max("history_id"))
        .values_list("id", "newest")
    )
    for field in History._history_m2m_fields:
        through = field.remote_field.through
        recorded = apps.get_model(Program._meta.app_label, f"{History.__name__}_{field.name}")
        columns = [f.attname for f in through._meta.fields]
        owner = f"{field.m2m_field_name()}_id"
        at = columns.index(owner)
        rows = through.objects.filter(**{f"{owner}__in": list(newest)}).values_list(*columns)
        recorded.objects.bulk_create(
            (
                recorded(**dict(zip(columns, row, strict=True)), history_id=newest[row[at]])
                for row in rows
            ),
            batch_size=2000,
        )


@transaction.atomic
def programs_publish(*, programs, user=None) -> list[Program]:
    """Make listings visible to the public."""
    return _programs_update(
        programs=programs, user=user, reason="Published.", status=Program.Status.PUBLISHED
    )


@transaction.atomic
def programs_archive(*, programs, user=None) -> list[Program]:
    """Withdraw listings from the public without deleting them."""
    return _programs_update(
        programs=programs, user=user, reason="Archived.", status=Program.Status.ARCHIVED
    )


@transaction.atomic
def programs_verify(*, programs, user) -> list[Program]:
    """Record that `user` checked the listings today."""
    return _programs_update(
        programs=programs,
        user=user,
        reason="Verified by a curator.",
        last_verified=timezone.localdate(),
        verified_by=user,
        verified_by_role=Program.VerifiedBy.CURATOR,
    )


@transaction.atomic
def program_verify_by_provider(*, program: Program, user) -> Program:
    """Record that the program itself (`user`, one of its staff) confirmed the whole listing
    today: "Everything here is still accurate"."""
    (program,) = _programs_update(
        programs=[program],
        user=user,
        reason="Confirmed still accurate by the program.",
        last_verified=timezone.localdate(),
        verified_by=user,
        verified_by_role=Program.VerifiedBy.PROVIDER,
    )
    return program


@transaction.atomic
def track_availability_set(
    *,
    track: Track,
    openings: int | None,
    next_start: datetime.date | None,
    rolling_admission: bool,
    user=None,
) -> Track:
    """State a track's openings, next start and rolling admission, confirmed today."""
    track.openings = openings
    track.next_start = next_start
    track.rolling_admission = rolling_admission
    track.availability_confirmed = timezone.localdate()
    track._history_user = user
    track.save()
    # Cached searches are keyed by the last change of any program.
    Program.objects.filter(pk=track.program_id).update(updated=timezone.now())
    return track
