"""Each track's schedule summary (TrackSchedule, kept by the database) agrees with its sessions
however they are written, and search, which reads the summary, agrees with the sessions."""

import datetime
import json
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from programs import freetime, services
from programs.filtersets import ProgramFilterSet
from programs.models import Program, Session, Term, Track, TrackSchedule

from .concurrency import started_elsewhere, transaction_held_open
from .factories import DAYS, ProgramFactory, track_create
from .test_samhsa_directory import HARBOR, RIVER, write_workbook

pytestmark = pytest.mark.django_db

T = datetime.time.fromisoformat


def summaries_from_sessions():
    """What each track's summary must say, computed here from its sessions."""
    summaries = {}
    for session in Session.objects.select_related("track"):
        summary = summaries.setdefault(
            session.track_id,
            {"program": session.track.program_id, "sessions": 0, "days": 0, "minutes": 0,
             "starts": [], "ends": []},
        )  # fmt: skip
        summary["sessions"] += 1
        summary["days"] |= 1 << session.day
        summary["minutes"] += session.duration_minutes
        summary["starts"].append(session.start)
        summary["ends"].append(session.end)
        summary.setdefault(f"{DAYS[session.day]}_start", []).append(session.start)
        summary.setdefault(f"{DAYS[session.day]}_end", []).append(session.end)

    def spans(s):
        return tuple(
            aggregate(s[f"{day}_{end}"]) if f"{day}_{end}" in s else None
            for day in DAYS
            for end, aggregate in (("start", min), ("end", max))
        )

    return {
        track: (s["program"], s["sessions"], s["days"], min(s["starts"]), max(s["starts"]),
                max(s["ends"]), s["minutes"], spans(s))
        for track, s in summaries.items()
    }  # fmt: skip


def summaries_stored():
    return {
        row.track_id: (row.program_id, row.sessions, row.days, row.earliest_start,
                       row.latest_start, row.latest_end, row.weekly_minutes,
                       tuple(getattr(row, f"{day}_{end}") for day in DAYS
                             for end in ("start", "end")))
        for row in TrackSchedule.objects.all()
    }  # fmt: skip


def lightest_stored(column="lightest_track_minutes"):
    """PostgreSQL: each program's `lightest_track_minutes` (migration 0010), or another of its
    columns, where not null."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {column} FROM programs_program WHERE {column} IS NOT NULL")
        return dict(cursor.fetchall())


def assert_summaries_agree():
    expected = summaries_from_sessions()
    assert summaries_stored() == expected
    lightest = lightest_stored()
    if lightest is not None:
        programs, heaviest = {}, {}
        for program, *_rest, minutes, _spans in expected.values():
            programs[program] = min(minutes, programs.get(program, minutes))
            heaviest[program] = max(minutes, heaviest.get(program, minutes))
        assert lightest == programs
        assert lightest_stored("heaviest_track_minutes") == heaviest  # migration 0016


def found(**params):
    filterset = ProgramFilterSet(params, queryset=Program.objects.published())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("slug", flat=True))


def fits(session, params):
    """Whether one session meets the time conditions of `params` (as the contract says)."""
    if "free" in params and not any(
        session.day in window.days and window.start <= session.start and session.end <= window.end
        for value in params["free"]
        for window in freetime.free_windows_parse(value)
    ):
        return False
    if "days" in params and DAYS[session.day] not in params["days"]:
        return False
    if "start_after" in params and session.start < T(params["start_after"]):
        return False
    if "end_before" in params and session.end > T(params["end_before"]):
        return False
    band = params.get("time_of_day")
    if band == "morning" and session.start >= T("12:00"):
        return False
    if band == "afternoon" and not T("12:00") <= session.start < T("17:00"):
        return False
    return not (band == "evening" and session.start < T("17:00"))


def found_from_sessions(params):
    """The programs with one track whose every session fits and whose hours are in range."""
    slugs = set()
    for program in Program.objects.published().prefetch_related("tracks__sessions"):
        for track in program.tracks.all():
            sessions = list(track.sessions.all())
            minutes = sum(session.duration_minutes for session in sessions)
            if (
                sessions
                and all(fits(session, params) for session in sessions)
                and minutes >= float(params.get("hours_min", 0)) * 60
                and minutes <= float(params.get("hours_max", 60)) * 60
            ):
                slugs.add(program.slug)
    return slugs


SEARCHES = [
    {"days": ["mon", "wed", "fri"]},
    {"days": ["sat", "sun"]},
    {"time_of_day": "morning"},
    {"time_of_day": "afternoon"},
    {"time_of_day": "evening", "days": ["mon", "tue", "wed", "thu"]},
    {"start_after": "17:30"},
    {"end_before": "12:30"},
    {"hours_min": "12"},
    {"hours_max": "10"},
    {"hours_min": "6", "hours_max": "9"},
    {"hours_min": "9", "hours_max": "10", "time_of_day": "morning"},
    *({"free": [preset]} for preset, _label in freetime.PRESETS),
    {"free": ["mon-fri@17:00-22:00", "sat@08:00-12:00"]},
    {"free": ["mon,wed@08:00-12:00", "mon-fri@17:30-21:00"]},  # two windows on Monday
    {"free": ["tue,thu@08:00-23:30"], "hours_min": "6"},
    {"free": ["sat-mon"]},  # wraps the week
]


def assert_search_agrees():
    for params in SEARCHES:
        assert found(**params) == found_from_sessions(params), params


def test_sessions_created_changed_and_deleted_one_by_one_keep_the_summary_true():
    program = ProgramFactory(slug="harbor")
    track = track_create(program, "Evening", [("mon", "18:00", "21:00"), ("wed", "18:00", "21:00")])
    assert_summaries_agree()
    assert found(days=["mon", "wed"], time_of_day="evening") == {"harbor"}

    session = track.sessions.get(day=0)
    session.day, session.start, session.end = 1, T("09:00"), T("12:30")
    session.save()
    assert_summaries_agree()
    assert found(days=["mon", "wed"]) == set()
    assert found(days=["tue", "wed"]) == {"harbor"}
    assert found(time_of_day="evening") == set()
    assert_search_agrees()

    session.delete()
    assert_summaries_agree()
    assert found(time_of_day="evening", hours_max="3") == {"harbor"}

    track.sessions.all().delete()
    assert_summaries_agree()
    assert summaries_stored() == {}
    assert found(time_of_day="evening") == set()
    assert found(sort="hours") == {"harbor"}  # still listed, with no hours to sort by


def test_bulk_writes_keep_the_summary_true():
    program = ProgramFactory(slug="harbor")
    other = ProgramFactory(slug="river")
    track = Track.objects.create(program=program, name="Day")
    Session.objects.bulk_create(
        [Session(track=track, day=day, start=T("09:00"), end=T("12:00")) for day in range(5)]
    )
    assert_summaries_agree()
    assert found(days=DAYS[:5], hours_min="15") == {"harbor"}

    Session.objects.filter(track=track, day__gte=3).update(start=T("17:00"), end=T("20:00"))
    assert_summaries_agree()
    assert found(time_of_day="morning") == set()
    assert found(start_after="09:00", end_before="20:00") == {"harbor"}

    services.track_schedule_set(track=track, sessions=[(5, T("10:00"), T("13:00"))])
    assert_summaries_agree()
    assert found(days=["sat"], time_of_day="morning") == {"harbor"}

    Track.objects.filter(pk=track.pk).update(program=other)  # a track moved to another program
    assert_summaries_agree()
    assert found(days=["sat"]) == {"river"}

    Session.objects.filter(track=track).delete()
    assert_summaries_agree()
    assert summaries_stored() == {}
    assert found(days=["sat"]) == set()


def by_hours(**params):
    filterset = ProgramFilterSet({"sort": "hours", **params}, queryset=Program.objects.published())
    assert filterset.is_valid(), filterset.errors
    return [document.program["slug"] for document in filterset.page()]


def test_sorting_by_hours_and_unlisted_schedules_follow_every_change():
    """Each program's lightest track, which PostgreSQL keeps on the program (migration 0010),
    moves with its sessions and tracks: sort=hours and `unlisted` see every change."""
    harbor, river, cove = (
        ProgramFactory(slug=slug, name=slug.title()) for slug in ("harbor", "river", "cove")
    )
    heavy = track_create(harbor, "Day", [(day, "09:00", "12:00") for day in DAYS[:5]])  # 15 h
    track_create(river, "Evening", [("mon", "18:00", "21:00"), ("wed", "18:00", "21:00")])  # 6 h
    assert by_hours() == ["river", "harbor", "cove"]  # cove lists no schedule: last
    assert_summaries_agree()

    light = track_create(harbor, "Light", [("sat", "10:00", "12:00")])  # 2 h: now harbor's lightest
    assert by_hours() == ["harbor", "river", "cove"]
    light.delete()  # the track and its sessions
    assert by_hours() == ["river", "harbor", "cove"]
    assert_summaries_agree()

    Track.objects.filter(pk=heavy.pk).update(program=cove)  # moved: harbor has no schedule now
    assert_summaries_agree()
    assert by_hours() == ["river", "cove", "harbor"]
    filterset = ProgramFilterSet({"time_of_day": "evening"}, queryset=Program.objects.published())
    assert filterset.is_valid()
    assert [document.program["slug"] for document in filterset.page()] == ["river"]
    assert filterset.unlisted()["count"] == 1  # harbor: no session listed

    river.delete()
    cove.tracks.all().delete()
    assert_summaries_agree()
    assert by_hours() == ["cove", "harbor"]  # by name: neither lists hours


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite writes one at a time")
@pytest.mark.django_db(transaction=True)
def test_two_transactions_writing_sessions_of_one_program_at_once_keep_its_lightest_track(
    reference_data,
):
    """The first makes one track the lightest and waits; the second changes the other track.
    The refresh locks the program first, so the second waits and sees the first's track: a
    refresh that read the summaries before the first committed would keep the second's 2 h."""
    program = ProgramFactory(slug="harbor")
    first_track = track_create(program, "Day", [("mon", "09:00", "12:00")])  # 3 h
    second_track = track_create(program, "Evening", [("tue", "18:00", "22:00")])  # 4 h
    with transaction_held_open(
        lambda: Session.objects.filter(track=first_track).update(end=T("10:00"))  # 1 h
    ):
        second = started_elsewhere(
            lambda: Session.objects.filter(track=second_track).update(end=T("20:00"))  # 2 h
        )
        second.join(0.5)
        assert second.is_alive()  # waiting for the program's lock
    second.join(5)
    assert_summaries_agree()
    assert lightest_stored() == {program.pk: 60}
    assert TrackSchedule.objects.get(track=second_track).weekly_minutes == 120


def test_the_demo_seeder_keeps_the_summary_true_and_search_agrees():
    services.demo_programs_seed(count=60, seed=5)
    assert (
        TrackSchedule.objects.count()
        == Track.objects.filter(sessions__isnull=False).distinct().count()
    )
    assert_summaries_agree()
    assert_search_agrees()

    # Random edits afterwards, in every way sessions are written.
    rng = random.Random(5)
    sessions = list(Session.objects.order_by("pk"))
    for session in rng.sample(sessions, 20):
        session.start = T(f"{rng.randint(6, 19):02d}:00")
        session.end = T(f"{session.start.hour + rng.randint(1, 4):02d}:30")
        session.day = rng.randint(0, 6)
        session.save()
    Session.objects.filter(pk__in=[s.pk for s in rng.sample(sessions, 20)]).delete()
    assert_summaries_agree()
    assert_search_agrees()

    services.demo_programs_delete()
    assert summaries_stored() == {}


def test_imports_keep_the_summary_true(tmp_path):
    program = ProgramFactory(
        slug="harbor",
        tracks={"Evening": [("mon", "18:00", "21:00")], "Morning": [("tue", "09:00", "12:00")]},
    )
    document = services.programs_export(status="published")
    document[0]["tracks"][0]["sessions"] = [
        {"day": "sat", "start": "10:00", "end": "14:00"},
        {"day": "sun", "start": "10:00", "end": "14:00"},
    ]
    document[0]["tracks"][0]["hours_per_week"] = 8.0
    del document[0]["tracks"][1]
    path = tmp_path / "programs.json"
    path.write_text(json.dumps(document))
    call_command("import_programs", str(path), stdout=StringIO())
    assert program.tracks.count() == 1
    assert_summaries_agree()
    assert found(days=["sat", "sun"], hours_min="8") == {"harbor"}
    assert found(days=["mon"]) == set()

    workbook = write_workbook(tmp_path / "directory-2023.xlsx", [HARBOR, RIVER])
    call_command(
        "import_programs", str(workbook), "--format", "samhsa-directory", "--status",
        "published", stdout=StringIO(),
    )  # fmt: skip
    assert Program.objects.published().count() == 3
    assert_summaries_agree()
    assert_search_agrees()


def test_search_agrees_with_terms_as_they_change():
    program = ProgramFactory(slug="harbor", terms={"therapy": ["cbt"], "payment": ["medicaid"]})
    assert found(therapy=["cbt"]) == {"harbor"}
    assert found(therapy=["cbt", "dbt"]) == set()
    program.terms.add(Term.objects.get(kind="therapy", slug="dbt"))
    assert found(therapy=["cbt", "dbt"]) == {"harbor"}
    program.terms.remove(Term.objects.get(kind="payment", slug="medicaid"))
    assert found(payment=["medicaid", "self-pay"]) == set()
    program.terms.set([Term.objects.get(kind="payment", slug="self-pay")])
    assert found(payment=["medicaid", "self-pay"]) == {"harbor"}
    assert found(therapy=["cbt"]) == set()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", ["/api/programs/", "/programs/"])
@pytest.mark.parametrize(
    "params",
    [
        {"near": "22902", "payment": "medicaid", "time_of_day": "evening"},  # many results
        {"near": "22902", "days": ["sun"], "therapy": ["dbt"]},  # none: unlisted, chips, ways out
    ],
)
def test_a_search_takes_at_most_three_round_trips_whatever_the_page_size(
    client, settings, reference_data, url, params
):
    """The ranked page with its documents, its total and `unlisted` (SQLite: the documents by
    key apart), and on pages with few results every count of the chips and ways out in one
    statement (PostgreSQL: after the one that gives it its time box). Besides, each process
    reads the vocabulary once a minute (tests/test_vocabulary_cache.py): the first search here
    reads it, and is not counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SEARCH_CACHE_SECONDS = 0
    for n in range(30):
        ProgramFactory(
            name=f"P{n:02d}",
            format="hybrid",
            virtual_states=["VA", "MD"],
            terms={"therapy": ["cbt"], "payment": ["medicaid"], "language": ["en", "es"]},
            tracks={"Evening": [("mon", "18:00", "21:00")], "Morning": [("tue", "09:00", "12:00")]},
        )
    assert client.get(url, params).status_code == 200  # the vocabulary, kept from now on
    for page_size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {**params, "page_size": page_size})
        assert response.status_code == 200
        statements = [q["sql"] for q in queries if q["sql"] not in ("BEGIN", "COMMIT")]
        assert len(statements) <= 3, statements
