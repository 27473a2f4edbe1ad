"""import_programs and export_programs, through the commands, on real files."""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from programs.models import Program, Provider, Track

from .factories import ProgramFactory, track_create

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent / "data" / "findtreatment-locator-sample.json"
REGION_TEN = "39d6ca2b067e9d7bb435d81d51b2c7876939f82b9c92612142d4239277b3d5e6"
EMPOWERING = "ab7407016dd121765de56ac89d9f31ae2074d461de7c3370b2d1a3a6fae20c93"


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def database_state():
    """Everything an import could change, to show that a failed one changed nothing."""
    return json.dumps(
        {
            "programs": list(Program.objects.order_by("pk").values()),
            "providers": list(Provider.objects.order_by("pk").values("name", "website")),
            "tracks": list(Track.objects.order_by("pk").values("program", "name")),
            "terms": list(Program.terms.through.objects.order_by("pk").values("program", "term")),
        },
        default=str,
        sort_keys=True,
    )


# FindTreatment.gov


def test_sample_import_makes_exactly_the_iop_facilities_into_draft_programs():
    output = run("import_programs", str(SAMPLE), "--format", "findtreatment")
    assert "created 2, updated 0, unchanged 0, skipped 10" in output
    assert set(Program.objects.values_list("source_key", flat=True)) == {
        REGION_TEN,
        EMPOWERING,
    }
    assert set(Program.objects.values_list("status", flat=True)) == {"draft"}


def test_findtreatment_fields_are_mapped_one_by_one():
    run("import_programs", str(SAMPLE), "--format", "findtreatment")
    program = Program.objects.for_listing().get(source="findtreatment", source_key=EMPOWERING)
    assert program.name == "Substance Abuse Intensive Outpatient"
    assert program.provider.name == "Empowering Families Program"
    assert program.provider.website == "http://www.empoweringfamiliesprogram.com"
    assert program.street == "901 Preston Avenue, Suite 201"
    assert (program.city, program.state_id, program.zip) == ("Charlottesville", "VA", "22903")
    assert (program.latitude, program.longitude) == (38.0374836, -78.488558)
    assert program.phone == "434-971-8454" and program.intake_phone == "434-971-8454 x1"
    assert program.treats_substance_use and not program.treats_mental_health
    # "Computerized treatment/telemedicine" in SET: hybrid, licensed in its own state.
    assert program.format == "hybrid"
    assert [s.code for s in program.virtual_states.all()] == ["VA"]
    # TAP "Integrated dual disorders treatment" (and SG co-occurring) mark co-occurring care.
    assert program.co_occurring
    assert [t.slug for t in program.therapies] == [
        "cbt",
        "relapse-prevention",
        "trauma-focused",
        "twelve-step",
        "matrix-model",
    ]
    assert {t.slug for t in program.payments} >= {
        "medicaid",
        "medicare",
        "private-insurance",
        "tricare",
        "self-pay",
        "sliding-scale",
    }
    assert {"adolescents", "veterans", "lgbtq", "pregnant-postpartum"} <= {
        t.slug for t in program.populations
    }
    assert [t.slug for t in program.languages] == ["en"]
    # Values with no counterpart are kept for the curator, not dropped.
    unmapped = program.source_notes["unmapped"]
    assert "Brief intervention" in unmapped["TAP"]
    assert "Persons with HIV or AIDS" in unmapped["SG"]
    assert "State substance abuse agency" in program.licenses

    region_ten = Program.objects.for_listing().get(source="findtreatment", source_key=REGION_TEN)
    assert region_ten.format == "in-person" and not region_ten.virtual_states.exists()
    assert "moud" in [t.slug for t in region_ten.therapies]  # SET methadone/buprenorphine
    assert (
        region_ten.min_age == 18 and region_ten.max_age is None
    )  # AGE adults/young adults/seniors
    assert region_ten.street == "800 Preston Avenue, Peterson Building"


def test_an_imports_history_records_each_listings_terms():
    """The history page diffs each record against the one before: one without the terms read
    as all of them removed."""
    run("import_programs", str(SAMPLE), "--format", "findtreatment")
    for program in Program.objects.all():
        recorded = program.history.latest()
        assert {row.term_id for row in recorded.terms.all()} == {
            term.pk for term in program.terms.all()
        }
        assert {row.state_id for row in recorded.virtual_states.all()} == {
            state.pk for state in program.virtual_states.all()
        }


def test_a_second_import_changes_nothing():
    run("import_programs", str(SAMPLE), "--format", "findtreatment")
    before = database_state()
    output = run("import_programs", str(SAMPLE), "--format", "findtreatment")
    assert "created 0, updated 0, unchanged 2, skipped 10" in output
    assert database_state() == before


def test_reimport_keeps_what_a_curator_added_and_updates_what_came_from_findtreatment(tmp_path):
    run("import_programs", str(SAMPLE), "--format", "findtreatment")
    program = Program.objects.get(source="findtreatment", source_key=REGION_TEN)
    track_create(program, "Evening", [("mon", "18:00", "21:00"), ("wed", "18:00", "21:00")])
    program.terms.add(
        *Program.terms.field.related_model.objects.filter(
            kind__in=["step_down", "therapy"], slug__in=["residential", "dbt"]
        )
    )
    Program.objects.filter(pk=program.pk).update(
        status="published", curator_notes="Called 10/1", availability="waitlist"
    )
    document = json.loads(SAMPLE.read_text())
    for row in document["rows"]:
        if row["frid"] == REGION_TEN:
            row["phone"] = "434-555-0100"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document))

    output = run("import_programs", str(changed), "--format", "findtreatment")
    assert "updated 1" in output
    program = Program.objects.for_listing().get(source="findtreatment", source_key=REGION_TEN)
    assert program.phone == "434-555-0100"
    assert [t.name for t in program.tracks.all()] == ["Evening"]
    assert program.tracks.get().sessions.count() == 2
    assert [t.slug for t in program.step_down_levels] == ["residential"]
    assert "dbt" in [t.slug for t in program.therapies]
    assert (program.status, program.curator_notes, program.availability) == (
        "published",
        "Called 10/1",
        "waitlist",
    )
    assert Program.objects.count() == 2


def test_dry_run_reports_but_writes_nothing():
    output = run("import_programs", str(SAMPLE), "--format", "findtreatment", "--dry-run")
    assert "Dry run" in output and "created 2" in output
    assert Program.objects.count() == 0


# Bad files and rows: reported with their position, nothing written


def write(tmp_path, content):
    path = tmp_path / "import.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def good_row(**changes):
    row = {
        "slug": "harbor-iop",
        "name": "Harbor IOP",
        "provider": {"name": "Harbor Health", "website": "https://harbor.example.org/"},
        "address": {"street": "1 Main St", "city": "Norfolk", "state": "VA", "zip": "23510"},
        "lat": 36.85,
        "lng": -76.29,
        "therapies": ["cbt"],
        "tracks": [
            {"name": "Evening", "sessions": [{"day": "mon", "start": "18:00", "end": "21:00"}]}
        ],
    }
    row.update(changes)
    return row


def assert_refused(tmp_path, content, fmt="programs"):
    if not Program.objects.filter(slug="existing").exists():
        ProgramFactory(slug="existing")
    before = database_state()
    with pytest.raises(CommandError) as error:
        run("import_programs", write(tmp_path, content), "--format", fmt)
    message = str(error.value)
    assert "Nothing was imported" in message
    assert database_state() == before
    return message


def test_malformed_json_is_reported_with_its_line(tmp_path, capsys):
    message = assert_refused(tmp_path, '[{"slug": "a",\n "name": }]')
    assert "not valid JSON (line 2" in message


def test_a_row_with_an_unknown_slug(tmp_path):
    rows = [good_row(slug="first"), good_row(slug="second", therapies=["cbt", "astrology"])]
    err = StringIO()
    ProgramFactory(slug="existing")
    before = database_state()
    with pytest.raises(CommandError):
        call_command("import_programs", write(tmp_path, rows), stderr=err, stdout=StringIO())
    assert "row 2 (second): unknown therapies 'astrology'" in err.getvalue()
    assert database_state() == before


@pytest.mark.parametrize(
    "row,expected",
    [
        (good_row(name=""), "row 2 (harbor-iop): “name” is required."),
        (good_row(lat=123.4), "row 2 (harbor-iop): “lat” must be between -90 and 90"),
        (good_row(lat="north"), "row 2 (harbor-iop): “lat” must be a number."),
        (good_row(address={"city": "X", "state": "ZZ"}), "unknown state 'ZZ'"),
        (good_row(status="deleted"), "“status” must be one of"),
        (
            good_row(
                tracks=[
                    {"name": "E", "sessions": [{"day": "mon", "start": "21:00", "end": "18:00"}]}
                ]
            ),
            "must end after it starts",
        ),
        (
            good_row(
                tracks=[
                    {
                        "name": "E",
                        "hours_per_week": 12,
                        "sessions": [{"day": "mon", "start": "18:00", "end": "21:00"}],
                    }
                ]
            ),
            "sessions add up to 3",
        ),
        (good_row(name="Harbor\x00IOP"), "“name” holds a control character."),
        (good_row(provider={"name": "Harbor\x00"}), "“name” holds a control character."),
        (good_row(licenses=["Joint\x00Commission"]), "“licenses” holds a control character."),
        (good_row(time_zone="Mars/Olympus"), "“time_zone” is not a time zone: 'Mars/Olympus'."),
        (good_row(last_verified="9999-12-31"), "“last_verified” is in the future"),
        (
            good_row(address={"city": "Norfolk", "state": "VA", "zip": "abcde"}),
            "“zip” must be a ZIP code of 5 digits",
        ),
        (
            good_row(
                tracks=[
                    {
                        "name": "E",
                        "sessions": [
                            {"day": "mon", "start": "18:00", "end": "21:00"},
                            {"day": "mon", "start": "19:00", "end": "20:00"},
                        ],
                    }
                ]
            ),
            "track “E”: two sessions on mon overlap.",
        ),
        (
            good_row(
                tracks=[
                    {
                        "name": "E",
                        "sessions": [
                            {"day": day, "start": "00:00", "end": "23:59"}
                            for day in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                        ],
                    }
                ]
            ),
            "add up to 167.883 hours a week, more than 60.",
        ),
    ],
)
def test_bad_rows_name_their_position_and_reason(tmp_path, row, expected):
    err = StringIO()
    ProgramFactory(slug="existing")
    before = database_state()
    with pytest.raises(CommandError):
        call_command(
            "import_programs",
            write(tmp_path, [good_row(slug="ok"), row]),
            stderr=err,
            stdout=StringIO(),
        )
    assert expected in err.getvalue()
    assert database_state() == before


def test_a_duplicate_slug_in_the_file(tmp_path):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_programs",
            write(tmp_path, [good_row(), good_row()]),
            stderr=err,
            stdout=StringIO(),
        )
    assert "row 2 (harbor-iop): harbor-iop appears again (first in row 1)" in err.getvalue()
    assert Program.objects.count() == 0


def test_a_bad_findtreatment_row_is_reported(tmp_path):
    document = json.loads(SAMPLE.read_text())
    row = next(r for r in document["rows"] if r["frid"] == EMPOWERING)
    row["latitude"] = "not a number"
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_programs",
            write(tmp_path, document),
            "--format",
            "findtreatment",
            stderr=err,
            stdout=StringIO(),
        )
    assert f"row 5 ({EMPOWERING}): “latitude” must be a number" in err.getvalue()
    assert Program.objects.count() == 0


def test_wrong_top_level_shape(tmp_path):
    assert "must be a JSON list" in assert_refused(tmp_path, {"rows": []})
    assert '"rows" list' in assert_refused(tmp_path, [], fmt="findtreatment")
    assert "nested too deeply" in assert_refused(tmp_path, "[" * 100_000)


def test_rows_that_are_not_objects_are_refused_by_position(tmp_path):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_programs",
            write(tmp_path, {"rows": [1, "two"]}),
            "--format",
            "findtreatment",
            stderr=err,
            stdout=StringIO(),
        )
    assert "row 1: must be an object." in err.getvalue()
    assert "row 2: must be an object." in err.getvalue()


def test_a_folder_is_not_a_file(tmp_path):
    with pytest.raises(CommandError, match="a folder, not a file"):
        run("import_programs", str(tmp_path))


def test_a_findtreatment_id_unfit_for_an_address_makes_a_slug_that_is(tmp_path, client):
    """A "/" in an id made a slug no address could be made from: every search that found the
    program answered 500."""
    document = json.loads(SAMPLE.read_text())
    row = next(r for r in document["rows"] if r["frid"] == EMPOWERING)
    row["frid"] = "ab/../c% ?#"
    run("import_programs", write(tmp_path, {"rows": [row]}), "--format", "findtreatment",
        "--status", "published")  # fmt: skip
    program = Program.objects.get()
    assert re.fullmatch(r"[a-z0-9-]+", program.slug)
    response = client.get("/api/programs/", {"q": program.name.split()[0]})
    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["results"]] == [program.slug]


def test_missing_file():
    with pytest.raises(CommandError, match="no such file"):
        run("import_programs", "/nonexistent/file.json")


# Programs format and round trip


def test_programs_import_upserts_by_slug_and_defaults_to_draft(tmp_path):
    output = run("import_programs", write(tmp_path, [good_row()]))
    assert "created 1, updated 0, unchanged 0, skipped 0" in output
    program = Program.objects.for_listing().get(slug="harbor-iop")
    assert program.status == "draft"
    assert program.tracks.get().hours_per_week == 3
    output = run(
        "import_programs",
        write(tmp_path, [good_row(name="Harbor Evening IOP", status="published")]),
    )
    assert "created 0, updated 1" in output
    program.refresh_from_db()
    assert (program.name, program.status) == ("Harbor Evening IOP", "published")
    assert Program.objects.count() == 1


def test_export_import_export_gives_the_same_document(tmp_path):
    call_command("seed_demo", programs=40, seed=3, stdout=StringIO())
    Program.objects.filter(pk__in=Program.objects.order_by("pk").values("pk")[:5]).update(
        status="draft"
    )
    first = tmp_path / "first.json"
    run("export_programs", "--status", "all", str(first))

    Program.objects.all().delete()  # an empty directory
    Track.objects.all().delete()
    Provider.objects.all().delete()
    assert "created 40" in run("import_programs", str(first))

    second = tmp_path / "second.json"
    run("export_programs", "--status", "all", str(second))
    assert second.read_text() == first.read_text()
    assert len(json.loads(first.read_text())) == 40


def test_openings_a_program_stated_survive_an_export_and_an_import(tmp_path):
    """An imported listing's "open" is nobody's word until someone states it: a move to
    another database must keep who did, or it reads "Not listed" again."""
    import datetime

    stated = ProgramFactory(slug="stated", source="samhsa-directory", last_verified=None)
    unstated = ProgramFactory(slug="unstated", source="samhsa-directory", last_verified=None)
    Program.objects.filter(pk=stated.pk).update(availability_stated=datetime.date(2026, 11, 30))
    exported = tmp_path / "programs.json"
    run("export_programs", str(exported))
    assert [row["availability_stated"] for row in json.loads(exported.read_text())] == [
        "2026-11-30",
        None,
    ]
    Program.objects.all().delete()
    run("import_programs", str(exported))
    assert Program.objects.get(slug=stated.slug).availability_listed
    assert not Program.objects.get(slug=unstated.slug).availability_listed


def test_export_defaults_to_published_programs(tmp_path):
    ProgramFactory(slug="public")
    ProgramFactory(slug="hidden", status="draft")
    path = tmp_path / "out.json"
    run("export_programs", str(path))
    assert [p["slug"] for p in json.loads(path.read_text())] == ["public"]


def test_export_gives_back_coordinates_exactly(client):
    """Exported and API documents carry each coordinate as stored, to the last digit (SQLite
    writes reals in JSON with 15 digits unless told otherwise)."""
    from programs.services.imports import programs_export

    program = ProgramFactory(latitude=38.01100000000001, longitude=-78.48050000000001)
    (exported,) = programs_export()
    assert (exported["lat"], exported["lng"]) == (38.01100000000001, -78.48050000000001)
    shown = client.get(f"/api/programs/{program.slug}/").json()
    assert (shown["lat"], shown["lng"]) == (38.01100000000001, -78.48050000000001)
