"""import_programs --format samhsa-directory, on workbooks the tests write and on the real 2023
directory shipped in data/."""

import json
from io import StringIO
from pathlib import Path

import pytest
import zipcodes
from django.core.management import CommandError, call_command
from django.db import connection
from openpyxl import Workbook

from programs.models import Program, Provider, Track
from programs.sources import samhsa_directory

from .factories import track_create

pytestmark = pytest.mark.django_db

DIRECTORY = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "samhsa"
    / ("national-directory-su-facilities-2023.xlsx")
)
HEADERS = ["Name1", "Name2", "Street1", "Street2", "City", "State", "Zip", "Phone", "Intake1",
           "Intake2", "Intake1a", "Intake2a", "Service_code_info"]  # fmt: skip
# A slice of the real "Service Code Reference" sheet: the codes the rows below use.
REFERENCE = [
    ("TC", "Type of Care", "SA", "Substance use treatment"),
    ("TC", "Type of Care", "DT", "Detoxification  "),
    ("TC", "Type of Care", "SUMH", "Treatment for co-occurring substance use plus serious mental illness"),
    ("SET", "Service Setting", "OP", "Outpatient "),
    ("SET", "Service Setting", "RES", "Residential/24-hour residential"),
    ("SET", "Service Setting", "ODT", "Outpatient day treatment or partial hospitalization"),
    ("SET", "Service Setting", "OIT", "Intensive outpatient treatment"),
    ("SET", "Service Setting", "ORT", "Regular outpatient treatment"),
    ("PHR", "Pharmacotherapies", "BWN", "Buprenorphine with naloxone"),
    ("TAP", "Treatment Approaches", "CBT", "Cognitive behavioral therapy"),
    ("TAP", "Treatment Approaches", "BIA", "Brief intervention"),
    ("TAP", "Treatment Approaches", "TELE", "Telemedicine/telehealth therapy"),
    ("LCA", "License/Certification/Accreditation", "STAG", "State substance use treatment agency"),
    ("LCA", "License/Certification/Accreditation", "JC", "The Joint Commission"),
    ("PAY", "Payment/Insurance/Funding Accepted", "MD", "Medicaid"),
    ("PAY", "Payment/Insurance/Funding Accepted", "PI", "Private health insurance"),
    ("PYAS", "Payment Assistance Available", "SS", "Sliding fee scale"),
    ("SG", "Special Programs/Groups Offered", "AD", "Adolescents"),
    ("SG", "Special Programs/Groups Offered", "VET", "Veterans"),
    ("SG", "Special Programs/Groups Offered", "CO", "Clients with co-occurring disorders"),
    ("SCR", "Testing", "DAUT", "Drug or alcohol urine screening"),
    ("AGE", "Age Groups Accepted", "CHLD", "Children/Adolescents"),
    ("AGE", "Age Groups Accepted", "ADLT", "Adults"),
    ("GN", "Gender Accepted", "FEM", "Female"),
    ("SL", "Language Services", "SP", "Spanish"),
    ("OL", "Other Languages", "F4", "Arabic"),
    ("AS", "Ancillary Services", "MHS", "Mental health services"),
]  # fmt: skip
HARBOR = ["Harbor Health", "Evening IOP", "12 Main Street", "Suite 4", "Charlottesville", "VA",
          "22903", "434-555-0100", "434-555-0199", None, None, None,
          "SA DT SUMH * OP OIT RES ODT * BWN * CBT BIA TELE * STAG JC * MD PI * SS * AD VET CO "
          "* DAUT * CHLD ADLT * FEM * SP * F4 * MHS ZZZ"]  # fmt: skip
RIVER = ["River Clinic", None, "1 Water Lane", None, "Durham", "NC", "27701", "919-555-0101",
         None, None, None, None, "SA * OP OIT * CBT * MD * ADLT"]  # fmt: skip
NOT_AN_IOP = ["Hill House", None, "9 Hill Road", None, "Raleigh", "NC", "27601", "919-555-0102",
              None, None, None, None, "SA * RES * CBT"]  # fmt: skip


def write_workbook(path, rows, *, headers=HEADERS, reference=REFERENCE, sheets=None):
    workbook = Workbook()
    facilities = workbook.active
    facilities.title = (sheets or {}).get("facilities", "Facilities List")
    facilities.append(headers)
    for row in rows:
        facilities.append(row)
    codes = workbook.create_sheet((sheets or {}).get("reference", "Service Code Reference"))
    codes.append(["category_code", "category_name", "service_code", "service_name"])
    for row in reference:
        codes.append(row)
    workbook.save(path)
    return path


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_programs", *map(str, args), stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def database_state():
    return json.dumps(
        {
            "programs": list(Program.objects.order_by("pk").values()),
            "providers": list(Provider.objects.order_by("pk").values()),
            "tracks": list(Track.objects.order_by("pk").values()),
            "terms": list(Program.terms.through.objects.order_by("pk").values()),
            "states": list(Program.virtual_states.through.objects.order_by("pk").values()),
        },
        default=str,
        sort_keys=True,
    )


@pytest.fixture
def directory_2023(tmp_path):
    return write_workbook(tmp_path / "directory-2023.xlsx", [HARBOR, RIVER, NOT_AN_IOP])


def test_every_code_we_have_a_vocabulary_for_is_mapped(directory_2023):
    output = run(directory_2023, "--format", "samhsa-directory")
    assert "created 2, updated 0, unchanged 0, skipped 1 (not intensive outpatient)" in output
    program = Program.objects.for_listing().get(provider__name="Harbor Health")
    assert program.name == "Evening IOP" and program.status == "draft"
    assert program.street == "12 Main Street, Suite 4"
    assert (program.city, program.state_id, program.zip) == ("Charlottesville", "VA", "22903")
    assert (program.phone, program.intake_phone) == ("434-555-0100", "434-555-0199")
    # At the ZIP's centre until geocoded, in the ZIP's time zone.
    centroid = zipcodes.matching("22903")[0]
    assert (program.latitude, program.longitude) == (
        float(centroid["lat"]),
        float(centroid["long"]),
    )
    assert program.location_precision == "zip" and program.time_zone == "America/New_York"
    assert program.treats_substance_use and program.treats_mental_health and program.co_occurring
    assert program.format == "hybrid"  # TELE: telehealth, licensed in its own state
    assert [state.code for state in program.virtual_states.all()] == ["VA"]
    assert {t.slug for t in program.therapies} == {"cbt", "moud"}
    assert {t.slug for t in program.payments} == {"medicaid", "private-insurance", "sliding-scale"}
    assert {t.slug for t in program.populations} == {"adolescents", "veterans", "women"}
    assert {t.slug for t in program.languages} == {"en", "es", "ar"}
    assert (program.min_age, program.max_age) == (0, None)
    assert program.ages_display == "All ages"
    assert program.other_levels_of_care == [
        "Detoxification",
        "Residential/24-hour residential",
        "Outpatient day treatment or partial hospitalization",
    ]
    assert program.licenses == ["State substance use treatment agency", "The Joint Commission"]
    notes = program.source_notes
    assert notes["other"]["Treatment Approaches"] == ["Brief intervention"]
    assert notes["other"]["Testing"] == ["Drug or alcohol urine screening"]
    assert notes["unknown_codes"] == ["ZZZ"]
    assert (program.source, program.source_edition) == ("samhsa-directory", "2023")
    assert program.source_key == samhsa_directory.stable_key(
        "Harbor Health", "Evening IOP", "12 Main Street", "Suite 4", "22903"
    )
    assert not program.tracks.exists() and not program.step_down_levels

    river = Program.objects.get(provider__name="River Clinic")
    assert river.name == "Intensive Outpatient Program"  # no Name2
    assert river.format == "in-person" and river.ages_display == "18 and over"
    assert not river.treats_mental_health


@pytest.mark.parametrize(
    ("codes", "ages"),
    [
        ("SA * OP OIT * CHLD", "Ages not stated"),  # a lone CHLD says too little
        ("SA * OP OIT * AD * CHLD", "Up to 17"),  # with a group for adolescents alone
        ("SA * OP OIT * AD WN MN * CHLD", "All ages"),  # with groups for adult women and men
        ("SA * OP OIT * TAY * CHLD", "All ages"),  # with one for young adults
        ("SA * OP OIT * AD * CHLD YAD", "Up to 25"),
        ("SA * OP OIT * SE * ADLT", "18 and over"),
        ("SA * OP OIT * AD", "Ages not stated"),
    ],
)
def test_a_lone_children_code_is_read_with_the_groups_the_facility_runs(tmp_path, codes, ages):
    path = write_workbook(tmp_path / "d-2023.xlsx", [[*RIVER[:-1], codes]])
    run(path, "--format", "samhsa-directory")
    assert Program.objects.get().ages_display == ages


def test_column_names_match_whatever_their_case_and_status_can_be_published(tmp_path):
    path = write_workbook(tmp_path / "d-2023.xlsx", [RIVER], headers=[h.lower() for h in HEADERS])
    run(path, "--format", "samhsa-directory", "--status", "published")
    assert Program.objects.get().status == "published"


def test_importing_the_same_file_twice_writes_nothing(directory_2023):
    run(directory_2023, "--format", "samhsa-directory")
    before = database_state()
    output = run(directory_2023, "--format", "samhsa-directory")
    assert "created 0, updated 0, unchanged 2" in output
    assert database_state() == before


def test_a_new_edition_updates_in_place_keeps_curators_work_and_flags_what_it_lacks(
    directory_2023, tmp_path
):
    run(directory_2023, "--format", "samhsa-directory")
    harbor = Program.objects.get(provider__name="Harbor Health")
    track_create(harbor, "Evening", [("mon", "18:00", "21:00"), ("wed", "18:00", "21:00")])
    harbor.terms.add(*Program.terms.field.related_model.objects.filter(slug__in=["dbt", "php"]))
    Program.objects.filter(pk=harbor.pk).update(status="published", curator_notes="Called 10/1")
    changed = [*HARBOR]
    changed[7] = "434-555-0111"  # a new phone number
    edition_2024 = write_workbook(tmp_path / "directory-2024.xlsx", [changed, NOT_AN_IOP])

    output = run(edition_2024, "--format", "samhsa-directory")
    assert "created 0, updated 1, unchanged 0" in output
    assert "missing from this edition 1" in output
    harbor = Program.objects.for_listing().get(pk=harbor.pk)
    assert harbor.phone == "434-555-0111" and harbor.source_edition == "2024"
    assert harbor.status == "published" and harbor.curator_notes == "Called 10/1"
    assert [track.name for track in harbor.tracks.all()] == ["Evening"]
    assert "dbt" in {t.slug for t in harbor.therapies}
    assert [t.slug for t in harbor.step_down_levels] == ["php"]
    river = Program.objects.get(provider__name="River Clinic")  # never deleted
    assert river.source_missing == "2024"
    assert harbor.source_missing == ""


def test_true_repeats_are_merged_and_programs_sharing_an_address_stay_apart(tmp_path):
    repeat = [*RIVER]
    repeat[12] = "SA * OIT * MD PI"
    neighbour = [*RIVER]
    neighbour[1] = "Young Adult Track"  # another second name at the same address
    path = write_workbook(tmp_path / "d-2023.xlsx", [RIVER, repeat, neighbour])
    output = run(path, "--format", "samhsa-directory")
    assert "created 2" in output and "merged 1" in output
    assert "row 2 repeats row 1" in output
    river = Program.objects.for_listing().get(name="Intensive Outpatient Program")
    assert {t.slug for t in river.payments} == {"medicaid", "private-insurance"}
    assert Program.objects.filter(name="Young Adult Track").exists()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("Name1,Name2\n") and p, "not an .xlsx workbook"),
        (lambda p: p.with_suffix(".csv").write_text("Name1,Name2\n") and p.with_suffix(".csv"),
         "not an .xlsx workbook"),
        (lambda p: write_workbook(p, [RIVER], sheets={"facilities": "Sheet1"}),
         "no sheet “Facilities List”"),
        (lambda p: write_workbook(p, [RIVER], reference=[]), "does not explain the code OIT"),
        (lambda p: write_workbook(p, [RIVER[:6] + RIVER[7:]], headers=HEADERS[:6] + HEADERS[7:]),
         "no column 'zip'"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_and_changes_nothing(tmp_path, directory_2023, make, message):
    run(directory_2023, "--format", "samhsa-directory")
    before = database_state()
    with pytest.raises(CommandError) as error:
        run(make(tmp_path / "bad-2023.xlsx"), "--format", "samhsa-directory")
    assert message in str(error.value) or message in str(error.value.__context__)
    assert database_state() == before


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [(5, "XX", "unknown state 'XX'"), (6, "00000", "ZIP code '00000' is not in the gazetteer"),
     (0, None, "“name1” is required"), (6, "Durham", "must be a 5-digit ZIP code")],
)  # fmt: skip
def test_a_bad_row_is_reported_with_its_position_and_nothing_is_written(
    tmp_path, field, value, reason, capsys
):
    bad = [*RIVER]
    bad[field] = value
    path = write_workbook(tmp_path / "d-2023.xlsx", [HARBOR, bad])
    err = StringIO()
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import_programs", str(path), "--format", "samhsa-directory", stderr=err)
    assert "row 2" in err.getvalue() and reason in err.getvalue()
    assert not Program.objects.exists()


def test_the_whole_2023_directory(django_assert_max_num_queries):
    """SAMHSA's real file: 5,736 IOP rows, one of them a true repeat."""
    if connection.vendor == "postgresql":
        # An import runs as a command, without the requests' 2 s statement timeout; the test's
        # transaction must too: at its end the deferred foreign keys of 5,735 listings (their
        # terms, states and schedule summaries) are checked in one statement, which took over
        # 2 s on a busy machine. The setting ends with the test's transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
    output = run(DIRECTORY, "--format", "samhsa-directory", "--status", "published")
    assert (
        "created 5735, updated 0, unchanged 0, skipped 7008 (not intensive outpatient), " in output
    )
    assert "merged 1," in output
    assert Program.objects.published().count() == 5735
    assert Program.objects.values("state").distinct().count() == 54
    by_state = {
        code: Program.objects.filter(state=code).count() for code in ["CA", "OH", "VT", "PR", "MO"]
    }
    assert by_state == {
        "CA": 509,
        "OH": 317,
        "VT": 10,
        "PR": 5,
        "MO": 117,
    }  # MO: one true repeat merged
    assert Program.objects.filter(terms__slug="medicaid").count() == 4318 - 1  # one merged row
    assert Program.objects.filter(terms__slug="es").count() >= 1231

    shelby = Program.objects.for_listing().get(provider__name="Shelby County Treatment Center")
    assert shelby.name == "Intensive Outpatient Program"
    assert (shelby.street, shelby.city, shelby.state_id, shelby.zip) == (
        "750 Highway 31 South",
        "Alabaster",
        "AL",
        "35007",
    )
    assert shelby.phone == "205-216-0200" and shelby.intake_phone == ""
    assert shelby.format == "hybrid" and shelby.time_zone == "America/Chicago"
    assert shelby.co_occurring and shelby.treats_substance_use
    assert {"cbt", "moud", "matrix-model", "twelve-step"} <= {t.slug for t in shelby.therapies}
    assert {"medicaid", "medicare", "private-insurance", "self-pay", "sliding-scale"} <= {
        t.slug for t in shelby.payments
    }
    assert "Commission on Accreditation of Rehabilitation Facilities (CARF)" in shelby.licenses
    assert (shelby.min_age, shelby.max_age) == (18, None)

    vermont = Program.objects.for_listing().get(provider__name="Central Vermont")
    assert vermont.name == "Substance Abuse Services"
    assert (vermont.city, vermont.zip, vermont.phone) == ("Barre", "05641", "802-223-4156")
    assert vermont.format == "hybrid" and [s.code for s in vermont.virtual_states.all()] == ["VT"]
    # AGE lists only CHLD, but it runs groups for adult women and men, young adults, seniors.
    assert (vermont.min_age, vermont.max_age) == (0, None)
    # 179 lone CHLDs run a group for adolescents and none for adults: children and teens only.
    assert Program.objects.filter(min_age=0, max_age=17).count() == 179
    assert {"women", "men", "young-adults", "seniors"} <= {t.slug for t in vermont.populations}

    bayamon = Program.objects.for_listing().get(provider__name="Clinica de Tratamiento")
    assert bayamon.name == "Psicoterapeutico Inc"
    assert bayamon.street == "Urbanizacion Santa Cruz, Calle Marginal D-2"
    assert (bayamon.state_id, bayamon.zip, bayamon.time_zone) == (
        "PR",
        "00961",
        "America/Puerto_Rico",
    )
    assert {"es", "en"} <= {t.slug for t in bayamon.languages}
    assert bayamon.co_occurring and bayamon.treats_mental_health
    assert "Detoxification" in bayamon.other_levels_of_care
    assert (bayamon.min_age, bayamon.max_age) == (18, None)

    # A re-import of the same edition changes nothing.
    before = database_state()
    assert "created 0, updated 0, unchanged 5735" in run(DIRECTORY, "--format", "samhsa-directory")
    assert database_state() == before


def test_the_edition_is_never_guessed(tmp_path):
    path = write_workbook(tmp_path / "directory.xlsx", [RIVER])
    with pytest.raises(CommandError, match="--edition"):
        run(path, "--format", "samhsa-directory")
    assert not Program.objects.exists()
    for wrong in ["abc", "0", "2024; DROP", "2" * 500, ""]:
        with pytest.raises(CommandError, match="--edition must be a year"):
            run(path, "--format", "samhsa-directory", "--edition", wrong, "--dry-run")
    run(path, "--format", "samhsa-directory", "--edition", "2024")
    assert Program.objects.get().source_edition == "2024"


def test_one_name_in_several_cities_is_several_providers_and_a_curators_website_stays(
    tmp_path,
):
    elsewhere = [*RIVER]
    elsewhere[2], elsewhere[4], elsewhere[5], elsewhere[6] = "5 Oak St", "Raleigh", "NC", "27601"
    path = write_workbook(tmp_path / "d-2023.xlsx", [RIVER, elsewhere])
    run(path, "--format", "samhsa-directory")
    durham, raleigh = Program.objects.order_by("city")
    assert durham.provider != raleigh.provider  # staff invited for one do not see the other
    Provider.objects.filter(pk=durham.provider_id).update(website="https://river.example.org/")
    run(path, "--format", "samhsa-directory")
    durham.refresh_from_db()
    assert durham.provider.website == "https://river.example.org/"
    assert Provider.objects.count() == 2


def test_a_reimport_keeps_what_curators_removed_removed(directory_2023):
    run(directory_2023, "--format", "samhsa-directory")
    harbor = Program.objects.get(provider__name="Harbor Health")
    harbor.terms.remove(*harbor.terms.filter(slug="cbt"))
    harbor.virtual_states.clear()
    Program.objects.filter(pk=harbor.pk).update(format="in-person")
    output = run(directory_2023, "--format", "samhsa-directory")
    assert "updated 0" in output
    harbor = Program.objects.for_listing().get(pk=harbor.pk)
    assert "cbt" not in {t.slug for t in harbor.therapies}
    assert harbor.format == "in-person" and not harbor.virtual_states.exists()
