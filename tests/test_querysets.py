"""The catalogue's QuerySets, tested directly: each search condition of the contract is one
method, and the pages and the API only combine them (tests/test_filtersets.py, test_api.py)."""

import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.db.models.signals import post_init
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from programs.expressions import NotTrue
from programs.geo import Place, place_resolve
from programs.models import Program, State, Term, Track
from programs.querysets import _meets_only_on, _name_terms
from programs.vocabulary_cache import vocabulary

from .factories import ProgramFactory, ProviderFactory, track_create

pytestmark = pytest.mark.django_db


def slugs(queryset):
    return sorted(queryset.values_list("slug", flat=True))


def term_ids(kind, *slugs_):
    return list(Term.objects.filter(kind=kind, slug__in=slugs_).values_list("pk", flat=True))


def test_published_leaves_out_drafts_and_archived_programs():
    ProgramFactory(slug="shown")
    ProgramFactory(slug="draft", status=Program.Status.DRAFT)
    ProgramFactory(slug="archived", status=Program.Status.ARCHIVED)
    assert slugs(Program.objects.published()) == ["shown"]


def test_one_track_must_meet_every_schedule_condition_at_once():
    """A morning Monday track and an evening Tuesday track do not make a Tuesday morning."""
    split = ProgramFactory(slug="split")
    track_create(split, "Mornings", [("mon", "09:00", "12:00")])
    track_create(split, "Evenings", [("tue", "18:00", "21:00")], position=1)
    tuesday_mornings = ProgramFactory(slug="tuesday-mornings")
    track_create(tuesday_mornings, "Mornings", [("tue", "09:00", "12:00")])
    programs = Program.objects.all()
    assert slugs(programs.with_track_matching(days=[1], time_of_day="morning")) == [
        "tuesday-mornings"
    ]
    assert slugs(programs.with_track_matching(days=[1])) == ["split", "tuesday-mornings"]
    assert slugs(programs.with_track_matching(start_after=datetime.time(17))) == ["split"]


def test_a_track_without_sessions_meets_no_schedule_condition():
    empty = ProgramFactory(slug="empty")
    track_create(empty, "To be announced", [])
    assert slugs(Program.objects.with_track_matching(hours_min=0)) == []


def test_weekly_hours_are_the_sum_of_a_tracks_sessions():
    program = ProgramFactory(slug="nine-hours")
    track_create(program, "Evening", [(day, "18:00", "21:00") for day in ("mon", "wed", "fri")])
    programs = Program.objects.all()
    assert slugs(programs.with_track_matching(hours_min=9, hours_max=9)) == ["nine-hours"]
    assert slugs(programs.with_track_matching(hours_min=9.5)) == []
    assert slugs(programs.with_track_matching(hours_max=8.5)) == []


def test_all_terms_versus_any_term():
    ProgramFactory(slug="cbt-dbt", terms={"therapy": ["cbt", "dbt"]})
    ProgramFactory(slug="cbt", terms={"therapy": ["cbt"]})
    ProgramFactory(slug="none")
    both = term_ids("therapy", "cbt", "dbt")
    assert slugs(Program.objects.with_all_terms(both)) == ["cbt-dbt"]
    assert slugs(Program.objects.with_any_term(both)) == ["cbt", "cbt-dbt"]


def test_treating_needs_all_the_needs_given():
    ProgramFactory(slug="both", treats_substance_use=True, treats_mental_health=True)
    ProgramFactory(slug="substance", treats_substance_use=True, treats_mental_health=False)
    assert slugs(Program.objects.treating(["substance-use", "mental-health"])) == ["both"]
    assert slugs(Program.objects.treating(["substance-use"])) == ["both", "substance"]


def test_an_open_end_of_an_age_range_admits_any_age():
    ProgramFactory(slug="adults", min_age=18, max_age=None)
    ProgramFactory(slug="teens", min_age=13, max_age=17)
    ProgramFactory(slug="anyone", min_age=None, max_age=None)
    assert slugs(Program.objects.for_age(16)) == ["anyone", "teens"]
    assert slugs(Program.objects.for_age(70)) == ["adults", "anyone"]


def test_matching_text_needs_every_word_somewhere_in_the_listing():
    ProgramFactory(slug="harbor", name="Harbor Evening IOP", city="Charlottesville")
    ProgramFactory(slug="other", name="Blue Ridge IOP", description="Evening groups.")
    assert slugs(Program.objects.matching_text("harbor charlottesville")) == ["harbor"]
    assert slugs(Program.objects.matching_text("EVENING")) == ["harbor", "other"]
    assert slugs(Program.objects.matching_text("evening ridge")) == ["other"]


def test_near_measures_distance_and_adds_licensed_virtual_programs_on_request():
    ProgramFactory(slug="here")  # Charlottesville, VA
    ProgramFactory(slug="richmond", city="Richmond", latitude=37.5407, longitude=-77.4360)
    ProgramFactory(
        slug="online",
        format=Program.Format.VIRTUAL,
        latitude=39.29,
        longitude=-76.61,  # Baltimore: far from the place
        virtual_states=["VA"],
    )
    place = place_resolve("22902")
    near = Program.objects.near(place, 25)
    assert slugs(near) == ["here"]
    assert near.get().distance_miles < 5
    assert slugs(Program.objects.near(place, 100)) == ["here", "richmond"]
    assert slugs(Program.objects.near(place, 25, virtual="include")) == ["here", "online"]
    only = Program.objects.near(place, 25, virtual="only")
    assert slugs(only) == ["online"]
    assert only.get().distance_miles is None  # matched by its licence, not by distance


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's term-set indexes")
def test_the_remote_programs_holding_a_term_are_found_by_their_own_index():
    """The way out "include virtual programs" of a search with a payment counts the remote
    programs licensed in the state that hold it (licensed_beyond). When fewer hold it than
    the state licenses, and most that hold it are not remote, they are read from their own
    index (migration 0017): before it, every program holding the term was read."""
    provider, virginia = ProviderFactory(), State.objects.get(code="VA")
    programs = Program.objects.bulk_create(
        ProgramFactory.build(
            provider=provider,
            state=virginia,
            format=Program.Format.VIRTUAL if i % 3 == 0 else Program.Format.IN_PERSON,
            latitude=36.6 + i / 10_000,  # south of Virginia's middle, far from the place
        )
        for i in range(3000)
    )
    remote = [program for program in programs if program.format == Program.Format.VIRTUAL]
    Program.virtual_states.through.objects.bulk_create(
        Program.virtual_states.through(program=program, state=virginia) for program in remote
    )
    medicaid = term_ids("payment", "medicaid")
    holding = remote[::20] + [p for p in programs if p.format == Program.Format.IN_PERSON][::5]
    Program.terms.through.objects.bulk_create(
        Program.terms.through(program=program, term_id=medicaid[0]) for program in holding
    )
    beyond = (
        Program.objects.published()
        .licensed_beyond(place_resolve("22902"), 5)
        .with_any_term(medicaid)
    )
    assert beyond.count() == len(remote[::20]) == 50
    sql, params = beyond.query.sql_with_params()

    def plan():
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())

    def programs_read():
        """The programs' rows or index entries the statement read, kept or not."""
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        (document,) = cursor.fetchone()
        nodes, read = [document[0]["Plan"]], 0
        while nodes:
            node = nodes.pop()
            nodes.extend(node.get("Plans", []))
            if node.get("Relation Name") == "programs_program":
                loops = node["Actual Loops"]
                read += (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * loops
        return read

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE programs_program, programs_program_virtual_states")
        with_index, read_with_index = plan(), programs_read()
        cursor.execute("DROP INDEX program_remote_term_ids_idx")  # rolled back with the test
        without, read_without = plan(), programs_read()
    # With it, the remote programs holding the term (50), and nothing else of the table.
    assert read_with_index == 50 and read_without >= 450, (read_with_index, read_without)
    assert "Bitmap Index Scan on program_remote_term_ids_idx" in with_index, with_index
    # Without it, the 450 programs holding the term are read to find the 50 remote ones, or
    # the 1,000 remote ones (from their key index, the state's list or the table itself), as
    # the planner likes.
    alternatives = (
        "on program_term_ids_idx",
        "on program_published_remote_idx",
        "on programs_program_virtual_states",
        "Seq Scan on programs_program ",
    )
    assert any(alternative in without for alternative in alternatives), without


def test_not_true_keeps_the_rows_a_condition_is_false_or_unknown_for():
    here, there = ProgramFactory(min_age=18), ProgramFactory(min_age=None)
    assert list(Program.objects.filter(NotTrue(Q(pk=here.pk)))) == [there]
    assert list(Program.objects.filter(NotTrue(Q(min_age__gte=21)))) == [here, there]
    assert list(Program.objects.filter(NotTrue(Q(pk__in=[])))) == [here, there]  # nothing meets it
    assert list(Program.objects.filter(NotTrue(~Q(pk__in=[])))) == []  # everything meets it


def test_programs_from_documents_go_through_from_db_when_someone_watches_them_made():
    """Building instances without Model.__init__ (querysets._builder) is for models nobody
    watches: with a post_init receiver, every instance is made by from_db and seen."""
    ProgramFactory(tracks={"Evening": [("mon", "18:00", "21:00")]})
    seen = []

    def watch(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(watch, sender=Track)
    try:
        (program,) = Program.objects.from_documents(Program.objects.listing_documents())
    finally:
        post_init.disconnect(watch, sender=Track)
    assert seen == list(program.tracks.all()) and len(seen) == 1


def test_a_place_in_no_state_has_no_licensed_programs_to_add():
    """A point at sea (coordinates given, no state): its circle only, whatever `virtual` asks."""
    ProgramFactory(slug="here")
    ProgramFactory(slug="online", format=Program.Format.VIRTUAL, virtual_states=["VA"])
    at_sea = Place(label="37.0, -74.0", lat=37.0, lng=-74.0, state=None)
    assert slugs(Program.objects.near(at_sea, 500, virtual="include")) == ["here", "online"]
    assert slugs(Program.objects.near(at_sea, 5, virtual="include")) == []
    assert slugs(Program.objects.near(at_sea, 5, virtual="only")) == []
    assert slugs(Program.objects.licensed_beyond(at_sea, 5)) == []


def test_ordering_by_weekly_hours_puts_programs_without_tracks_last():
    light = ProgramFactory(slug="light", name="Z light")
    track_create(light, "One evening", [("mon", "18:00", "21:00")])
    heavy = ProgramFactory(slug="heavy", name="A heavy")
    track_create(heavy, "Days", [(day, "09:00", "12:00") for day in ("mon", "tue", "wed")])
    ProgramFactory(slug="unlisted", name="B unlisted")
    ordered = Program.objects.order_by_weekly_hours().values_list("slug", flat=True)
    assert list(ordered) == ["light", "heavy", "unlisted"]


def test_fact_listed_tells_a_listed_schedule_from_an_unlisted_one():
    listed = ProgramFactory(slug="listed")
    track_create(listed, "Evening", [("mon", "18:00", "21:00")])
    ProgramFactory(slug="unlisted")
    today = datetime.date.today()
    condition = Program.objects.fact_listed("schedule", today=today)
    assert slugs(Program.objects.filter(condition)) == ["listed"]
    assert slugs(Program.objects.exclude(condition)) == ["unlisted"]


@given(st.sets(st.integers(min_value=0, max_value=6)))
def test_meeting_only_on_some_days_allows_each_of_their_subsets(days):
    """The bitmasks `_meets_only_on` allows are those of tracks with no day outside `days`."""
    allowed = sum(1 << day for day in days)
    if allowed == 0b1111111:
        assert not _meets_only_on(days)  # every day: no condition at all
        return
    (condition,) = _meets_only_on(days).children
    assert condition[0] == "days__in"
    assert condition[1] == [mask for mask in range(128) if mask & ~allowed == 0]


# Tracks that meet on these days, one program each (the search reads the days' bitmasks).
DAY_PATTERNS = {
    "mon": ["mon"],
    "wed": ["wed"],
    "mon-wed-fri": ["mon", "wed", "fri"],
    "tue-thu": ["tue", "thu"],
    "weekend": ["sat", "sun"],
    "every-day": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
}


@pytest.mark.parametrize(
    "asked",
    [["wed"], ["mon", "wed"], ["mon", "wed", "fri"], ["mon", "tue", "wed", "thu", "fri"],
     ["sat", "sun"], ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]],
)  # fmt: skip
def test_a_days_search_finds_the_tracks_that_meet_on_no_other_day(client, asked):
    """`days` through the API: a program comes back when one of its tracks meets only on days
    asked for, as a person reading the schedules would pick them out."""
    for slug, days in DAY_PATTERNS.items():
        ProgramFactory(slug=slug, tracks={"T": [(day, "18:00", "21:00") for day in days]})
    ProgramFactory(slug="no-schedule")
    body = client.get("/api/programs/", {"days": asked, "page_size": 100}).json()
    expected = sorted(slug for slug, days in DAY_PATTERNS.items() if set(days) <= set(asked))
    assert sorted(p["slug"] for p in body["results"]) == expected


def test_programs_from_their_documents_are_the_programs_the_orm_reads(
    django_assert_num_queries,
):
    """Pages build their programs from the documents the search's statement returns
    (`from_documents`), without Model.__init__: every field, the provider, terms, licensed
    states, tracks and sessions are what the ORM reads, and reading them asks nothing more;
    but what an import remembers of the source record, which documents leave out, is loaded
    when it is read."""
    ProgramFactory(
        source_notes={"record": {"name1": "Harbor Health"}},
        name="Harbor IOP",
        format=Program.Format.HYBRID,
        virtual_states=["VA", "MD"],
        terms={"payment": ["medicaid", "self-pay"], "language": ["es"]},
        tracks={"Evening": [("mon", "18:00", "21:00"), ("wed", "18:00", "21:00")], "Day": []},
    )
    ProgramFactory(
        name="Ridge IOP", last_verified=None, tracks={"Day": [("tue", "09:00", "12:00")]}
    )

    def fields(instance):
        return {
            f.attname: getattr(instance, f.attname)
            for f in type(instance)._meta.fields
            if f.attname != "source_notes"
        }

    queryset = Program.objects.order_by("name")
    built = queryset.from_documents(queryset.listing_documents())
    read = list(queryset.for_listing())
    with django_assert_num_queries(0):
        assert [fields(p) for p in built] == [fields(p) for p in read]
        assert all(p.get_deferred_fields() == {"source_notes"} for p in built)
        for made, orm in zip(built, read, strict=True):
            assert not made._state.adding and made._state.db == "default"
            assert fields(made.provider) == fields(orm.provider)
            for name in ("terms", "virtual_states"):
                mine, theirs = getattr(made, name).all(), getattr(orm, name).all()
                assert sorted(map(fields, mine), key=repr) == sorted(map(fields, theirs), key=repr)
            tracks = [
                (fields(track), [fields(s) for s in track.sessions.all()])
                for track in made.tracks.all()
            ]
            assert tracks == [
                (fields(track), [fields(s) for s in track.sessions.all()])
                for track in orm.tracks.all()
            ]
            assert all(track.program is made for track in made.tracks.all())
    harbor = built[0]
    assert [track.name for track in harbor.tracks.all()] == ["Evening", "Day"]
    assert [s.day for s in harbor.tracks.all()[0].sessions.all()] == [0, 2]
    with django_assert_num_queries(1):
        assert harbor.source_notes == {"record": {"name1": "Harbor Health"}}
    whole = queryset.from_documents(queryset.listing_documents(left_out=()))
    with django_assert_num_queries(0):
        assert [p.source_notes for p in whole] == [p.source_notes for p in read]
    # Chained, a set is the related manager's queryset (narrowed to the program) read anew.
    with django_assert_num_queries(1):
        assert [t.program_id for t in harbor.tracks.all().filter(name="Day")] == [harbor.pk]
    with django_assert_num_queries(1):
        assert list(harbor.terms.all().order_by("slug").values_list("slug", flat=True)) == [
            "es", "medicaid", "self-pay"
        ]  # fmt: skip
    ridge = built[1]
    with django_assert_num_queries(1):
        assert ridge.tracks.all().filter(name="Evening").count() == 0
    assert [t.name for t in ridge.tracks.all()] == ["Day"]  # the list in hand is kept


def test_a_documents_terms_are_named_from_the_vocabulary_in_its_order():
    """The database gives a document its program's term ids; they are named from the terms
    the process keeps (vocabulary_cache), in the terms' own order (kind, position, name): the
    name and slug a curator gives a term are on the next page."""
    program = ProgramFactory(terms={"payment": ["self-pay", "medicaid"], "therapy": ["cbt"]})
    medicaid = Term.objects.get(kind="payment", slug="medicaid")
    medicaid.position = Term.objects.get(kind="payment", slug="self-pay").position + 1
    medicaid.name = "Medicaid (all plans)"
    medicaid.save()
    (document,) = Program.objects.filter(pk=program.pk).listing_documents()
    assert [(kind, slug, name) for _pk, kind, slug, name, _position in document.terms] == [
        ("payment", "self-pay", "Self-pay"),
        ("payment", "medicaid", "Medicaid (all plans)"),
        ("therapy", "cbt", Term.objects.get(kind="therapy", slug="cbt").name),
    ]
    body = Client().get(f"/api/programs/{program.slug}/").json()
    assert body["payment"] == ["self-pay", "medicaid"]


def test_a_term_the_kept_vocabulary_lacks_is_read_again():
    """A term made in another process and given to a program before this process reads its
    vocabulary again (VOCABULARY_SECONDS) is still named: the vocabulary is read anew."""
    kept = vocabulary()
    program = ProgramFactory(terms={"payment": ["medicaid"]})
    new = Term.objects.bulk_create([Term(kind="language", slug="uk", name="Ukrainian")])[0]
    program.terms.add(new)
    assert kept.listed([new.pk]) is None
    queryset = Program.objects.filter(pk=program.pk)
    (document,), _rows, _counts = queryset.ranked_for_listing(0, None, vocabulary=kept)
    assert [slug for _pk, _kind, slug, _name, _position in document.terms] == ["uk", "medicaid"]
    (built,) = queryset.from_documents([document])
    assert [str(term) for term in built.terms.all()] == ["Ukrainian", "Medicaid"]


def test_a_term_gone_since_the_search_is_left_out_after_one_reading_again(
    django_assert_num_queries,
):
    """A term deleted between the search's statement and the naming (its id still in the
    documents) is left out; the vocabulary is read again once a page, not once a program."""
    programs = [ProgramFactory(terms={"payment": ["medicaid"]}) for _ in range(3)]
    gone = Term.objects.bulk_create([Term(kind="language", slug="uk", name="Ukrainian")])[0]
    for program in programs:
        program.terms.add(gone)
    queryset = Program.objects.filter(pk__in=[program.pk for program in programs]).order_by("pk")
    documents, _rows, _counts = queryset.ranked_for_listing(0, None, vocabulary=vocabulary())
    # As if the documents had been read before the term was deleted: its id, no term.
    for document in documents:
        document.terms = [term[0] for term in document.terms]
    Term.objects.filter(pk=gone.pk).delete()
    kept = vocabulary()
    with django_assert_num_queries(1):
        _name_terms(documents, kept)
    assert [[slug for _pk, _kind, slug, _name, _pos in d.terms] for d in documents] == [
        ["medicaid"]
    ] * 3
