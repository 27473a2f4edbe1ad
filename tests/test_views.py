"""The HTML pages as a visitor sees them."""

import datetime
import json
import re

import pytest

from programs.models import Program

from .factories import ProgramFactory, track_create

pytestmark = pytest.mark.django_db

EVENING = [("mon", "18:00", "21:00"), ("wed", "18:00", "21:00"), ("thu", "18:00", "21:00")]


@pytest.fixture
def evening_program():
    return ProgramFactory(
        name="Harbor Evening IOP",
        slug="harbor-evening-iop",
        intake_phone="434-555-0199",
        terms={"payment": ["medicaid"], "step_down": ["residential"], "therapy": ["cbt"]},
        tracks={"Evening": EVENING},
    )


def test_home_page_has_the_search_form(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/programs/"' in html
    for name in ['name="near"', 'name="radius"', 'name="need"', "Use my location"]:
        assert name in html


def _data_note(client, home="/"):
    html = client.get(home).content.decode()
    note = re.search(r'<p class="data-note">(.*?)</p>', html, re.S).group(1)
    return " ".join(note.split())


def test_home_page_says_how_many_programs_from_where_and_how_fresh(
    client, django_assert_max_num_queries
):
    today = datetime.date.today()
    ProgramFactory.create_batch(2, source="samhsa-directory", source_edition="2023")
    ProgramFactory(source="samhsa-directory", source_edition="2023", last_verified=None)
    ProgramFactory(is_demo=True, last_verified=today - datetime.timedelta(days=400))
    ProgramFactory(source="programs")  # from an IOP Finder export: no source of its own to name
    ProgramFactory(status=Program.Status.DRAFT, source="samhsa-directory", source_edition="2023")
    assert _data_note(client) == (
        "5 programs listed: 3 from SAMHSA&#x27;s 2023 directory, 1 made-up demo listing. "
        "3 were confirmed in the last 180 days. "
        "Listings can be out of date: call a program before you go."
    )
    # From the cache, in each language: the version of the catalogue, the form's vocabulary.
    with django_assert_max_num_queries(2):
        assert _data_note(client).startswith("5 programs listed")
    spanish = _data_note(client, "/es/")
    assert spanish.startswith("5 programas") and "(fuente: Directorio 2023 de SAMHSA)" in spanish


def test_the_home_pages_summary_changes_as_soon_as_a_program_does(client):
    program = ProgramFactory(source="samhsa-directory", source_edition="2023")
    assert _data_note(client).startswith("1 program listed: 1 from SAMHSA")
    ProgramFactory(source="samhsa-directory", source_edition="2023")
    assert _data_note(client).startswith("2 programs listed: 2 from SAMHSA")
    program.status = Program.Status.ARCHIVED
    program.save()
    assert _data_note(client).startswith("1 program listed: 1 from SAMHSA")


def test_results_page_shows_cards_with_what_people_decide_by(client, evening_program):
    response = client.get(
        "/programs/", {"near": "22902", "payment": "medicaid", "time_of_day": "evening"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 program near Charlottesville, VA 22902" in html
    assert "Harbor Evening IOP" in html
    assert "Evening:</strong> Mon, Wed, Thu 6-9 pm, 9 h/week" in html
    assert "Medicaid" in html and "Residential treatment" in html
    assert re.search(r'class="distance">\d+\.\d mi<', html)
    assert 'id="map-markers"' in html


def test_bad_filter_values_render_the_form_with_the_error_next_to_the_field(
    client, evening_program
):
    response = client.get("/programs/", {"near": "Atlantis", "hours_min": "lots", "therapy": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_near_error"' in html
    assert 'id="id_hours_min_error"' in html
    assert 'id="id_therapy_error"' in html
    codes = {
        field: [error.code for error in errors]
        for field, errors in response.context["form"].errors.as_data().items()
    }
    assert codes == {
        "near": ["unknown_place"],
        "hours_min": ["invalid"],
        "therapy": ["invalid_choice"],
    }
    assert "Harbor Evening IOP" not in html
    assert 'value="Atlantis"' in html  # what the visitor typed stays in the form


def test_a_results_page_past_the_end_is_404(client, evening_program):
    assert client.get("/programs/", {"page": 5}).status_code == 404


def test_pagination_keeps_the_filters(client):
    for n in range(3):
        ProgramFactory(name=f"P{n}", terms={"payment": ["medicaid"]})
    html = client.get("/programs/", {"payment": "medicaid", "page_size": 1}).content.decode()
    assert "Page 1 of 3" in html
    assert re.search(r'href="\?[^"]*payment=medicaid[^"]*page=2', html.replace("&amp;", "&"))


def test_a_listing_placed_by_its_zip_code_gives_directions_to_its_street(client, evening_program):
    # Every imported listing sits at its ZIP code's centre: the route must find the street.
    Program.objects.filter(pk=evening_program.pk).update(
        location_precision="zip", street="800 Preston Avenue, Suite 2", phone="434-555-0100 x204"
    )
    html = client.get("/programs/harbor-evening-iop/").content.decode()
    program = Program.objects.get(pk=evening_program.pk)
    # The building: routing services cannot find a suite.
    to = f"800+Preston+Avenue%2C+{program.city.replace(' ', '+')}%2C+{program.state_id}+{program.zip}"
    assert f'href="https://www.openstreetmap.org/directions?to={to}"' in html
    Program.objects.filter(pk=evening_program.pk).update(street="PO Box 12")
    html = client.get("/programs/harbor-evening-iop/").content.decode()
    assert "openstreetmap.org/directions?to=38.0364%2C-78.4888" in html  # a box is no route
    # An extension is dialled after a pause; the number reads as the listing wrote it.
    assert '<a href="tel:+14345550100,204">434-555-0100 x204</a>' in html


def test_program_page_shows_schedule_phone_map_json_ld_and_correction_form(client, evening_program):
    response = client.get("/programs/harbor-evening-iop/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>Evening track: 9 hours a week</caption>" in html
    assert html.count('<th scope="row">') == 3
    assert 'href="tel:+14345550199"' in html
    assert "openstreetmap.org/directions?to=38.0364%2C-78.4888" in html
    assert 'media="print"' in html
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(ld.group(1))
    assert data["@type"] == "MedicalClinic" and data["name"] == "Harbor Evening IOP"
    assert data["address"]["postalCode"] == "22903"
    assert "Report incorrect information" in html and "csrfmiddlewaretoken" in html


@pytest.mark.parametrize("status", [Program.Status.DRAFT, Program.Status.ARCHIVED])
def test_unpublished_programs_are_invisible(client, status):
    ProgramFactory(slug="hidden", name="Hidden Program", status=status)
    assert client.get("/programs/hidden/").status_code == 404
    assert "Hidden Program" not in client.get("/programs/").content.decode()
    assert "/programs/hidden/" not in client.get("/sitemap.xml").content.decode()


def test_stale_listings_say_since_when_they_were_verified(client):
    ProgramFactory(slug="old", last_verified=datetime.date(2025, 1, 15))
    ProgramFactory(slug="fresh", last_verified=datetime.date.today())
    assert "Not verified since January 15, 2025" in client.get("/programs/old/").content.decode()
    assert "Not verified since" not in client.get("/programs/fresh/").content.decode()


def test_sitemap_and_robots(client, evening_program):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/programs/harbor-evening-iop/" in sitemap
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    text = robots.content.decode()
    assert "Disallow: /admin/" in text and "Sitemap: http://testserver/sitemap.xml" in text


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "cache": "ok"}


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_cached_search_results_change_as_soon_as_a_program_does(client, evening_program):
    first = client.get("/programs/", {"near": "22902"}).content.decode()
    assert "Harbor Evening IOP" in first
    # From the cache: the same page, with a fresh CSRF token in its shortlist forms.
    second = client.get("/programs/", {"near": "22902"}).content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="\w+"')
    assert token.sub("", second) == token.sub("", first)
    evening_program.name = "Harbor Night IOP"
    evening_program.save()
    html = client.get("/programs/", {"near": "22902"}).content.decode()
    assert "Harbor Night IOP" in html and "Harbor Evening IOP" not in html
    api = client.get("/api/programs/", {"near": "22902"}).json()
    assert api["results"][0]["name"] == "Harbor Night IOP"


def test_the_form_asks_when_someone_can_attend_and_keeps_the_answer(client):
    page = client.get("/programs/", {"near": "22902", "free": "mon-fri@17:00-23:59;sat-sun"})
    html = page.content.decode()
    assert "<legend>When can you attend?</legend>" in html
    assert 'value="mon-fri@17:00-23:59;sat-sun" id="id_free_1" checked' in html
    assert 'value="" id="id_free_0">' in html  # "Any time" is no longer the choice


def test_a_search_too_long_to_redirect_is_answered_in_place(client):
    response = client.get("/programs/", {"near": ["", "é" * 3000], "radius": ""})
    assert response.status_code == 200
    assert "near" in response.context["form"].errors


def test_one_visitors_note_is_never_cached_for_another(client, settings):
    from django.test import Client

    settings.SEARCH_CACHE_SECONDS = 60
    program = ProgramFactory(slug="harbor")
    client.post(f"/shortlist/add/{program.slug}/")  # without JavaScript: a note for this visitor
    own = client.get("/programs/", {"near": "22902"}).content.decode()
    assert 'class="messages"' in own  # the note reaches its visitor
    other = Client().get("/programs/", {"near": "22902"}).content.decode()
    assert 'class="messages"' not in other


@pytest.mark.django_db
def test_a_search_of_too_many_conditions_shows_its_chips_without_counting_each(client):
    """Counting what removing each chip brings back costs a subquery a chip: past
    MAX_COUNTED_CHIPS the chips are still there to remove, without their counts."""
    from programs.filtersets import MAX_COUNTED_CHIPS
    from programs.vocabularies import THERAPIES

    ProgramFactory(terms={"therapy": ["cbt"]})
    few = client.get("/programs/?near=22902&therapy=cbt&therapy=dbt").content.decode()
    assert "without it" in few
    therapies = "&".join(f"therapy={slug}" for slug, _ in THERAPIES)
    assert len(THERAPIES) > MAX_COUNTED_CHIPS
    response = client.get(f"/programs/?near=22902&{therapies}")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="chip"') >= len(THERAPIES)
    assert "without it" not in html


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"near": "22902", "radius": "25", "q": "dbt", "start_after": "17:00", "hours_min": "6"},
        {"near": "Atlantis", "hours_min": "lots", "radius": "-4", "starts_by": "someday"},
        {"near": '"><script>alert(1)</script>', "q": "a & b 'c' <d>", "end_before": "25:99"},
        {"lat": "38.03", "lng": "-78.48", "hours_max": "1e3", "starts_by": "2026-12-24"},
    ],
)
def test_the_forms_single_inputs_are_written_as_djangos_widgets_write_them(rf, query):
    """`field_input` writes text, number, time and date inputs itself (faster than the widget
    templates): byte for byte what Django writes, for good, bad and hostile values, errors
    (aria-invalid) included."""
    from programs.filtersets import ProgramFilterSet
    from programs.templatetags.programs_extras import _PLAIN_INPUT_TEMPLATES, field_input

    filterset = ProgramFilterSet(
        query, queryset=Program.objects.none(), request=rf.get("/programs/", query)
    )
    filterset.is_valid()
    written = 0
    for field in filterset.form:
        if field.field.widget.input_type in {"radio", "checkbox", "select"}:
            continue
        assert field.field.widget.template_name in _PLAIN_INPUT_TEMPLATES, field.name
        assert field_input(field) == str(field), field.name
        written += 1
    assert written >= 8


def test_the_forms_choices_follow_the_page_language_and_the_search(client, evening_program):
    """Each choice is written once per form class and language, then only checked or not:
    English, Spanish and English again, each with its own search's boxes ticked."""

    def therapy_cbt(path, params):
        html = client.get(path, params).content.decode()
        return re.search(
            r'name="therapy" value="cbt" id="id_therapy_(\d+)"[^>]*> [^<]+</label>', html
        )[0]

    english = therapy_cbt("/programs/", {"therapy": "cbt"})
    assert english.endswith(" checked> Cognitive behavioral therapy (CBT)</label>")
    spanish = therapy_cbt("/es/programs/", {"therapy": "dbt"})
    assert spanish.endswith('"> Terapia cognitivo-conductual (TCC)</label>')  # not checked
    assert therapy_cbt("/programs/", {}) == english.replace(" checked", "")


def test_the_search_forms_fields_are_kept_as_written_and_each_page_shows_its_own(
    client, evening_program
):
    """The search form's fields are kept as written, by value and language
    (programs_extras.form_field). Each page still shows its own values, labels and errors:
    byte for byte what it shows with nothing kept."""
    from programs.templatetags import programs_extras

    searches = [
        ("/programs/", {"near": "22902", "hours_min": "6", "days": ["mon", "wed"]}),
        ("/es/programs/", {"near": "22902", "hours_min": "6", "days": ["mon", "wed"]}),
        ("/programs/", {"near": "22902", "hours_min": "lots"}),
        ("/programs/", {"near": "10001", "hours_min": "9", "q": "dbt", "sort": "hours"}),
        ("/es/programs/", {}),
        ("/programs/", {"near": "22902", "hours_min": "6", "days": ["mon", "wed"]}),
    ]

    def search_form(path, params):
        html = client.get(path, params).content.decode()
        start = html.index('<form class="filters"')
        return html[start : html.index("</form>", start)]

    kept = [search_form(*search) for search in searches]  # each after those before it
    afresh = []
    for search in searches:
        programs_extras._FIELD_HTML.clear()
        afresh.append(search_form(*search))
    assert kept == afresh
    assert kept[0] == kept[5] != kept[1]
    assert 'value="10001"' in kept[3] and 'value="10001"' not in kept[5]
    assert 'aria-invalid="true"' in kept[2] and 'aria-invalid="true"' not in kept[5]


def test_a_typed_place_replaces_the_location_found_earlier(client, evening_program):
    # Without JavaScript the hidden lat and lng of a "use my location" search come back.
    response = client.get("/programs/?lat=38.03&lng=-78.48&near=22902&therapy=cbt")
    assert response.status_code == 302
    assert response["Location"] == "/programs/?near=22902&therapy=cbt"
    assert (
        client.get("/es/programs/?near=22902&lat=38.03")["Location"] == "/es/programs/?near=22902"
    )
    assert client.get("/programs/?lat=38.03&lng=-78.48").status_code == 200
    # The API says what is wrong instead: a program sending both should be told.
    api = client.get("/api/programs/?lat=38.03&lng=-78.48&near=22902")
    assert api.status_code == 400 and "near" in api.json()["errors"]


@pytest.mark.parametrize("page", ["0", "abc", "99999999999999999999"])
def test_a_bad_page_number_says_so_and_leads_to_the_first_page(client, evening_program, page):
    response = client.get("/programs/", {"near": "22902", "therapy": "cbt", "page": page})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That page of results does not exist." in html
    assert "marked" not in html  # the form has no field for it: nothing is marked there
    assert 'href="/programs/?near=22902&amp;therapy=cbt">Show the first page of this search' in html


def test_a_page_past_the_last_keeps_the_search_and_leads_to_its_first_page(client, evening_program):
    response = client.get("/es/programs/", {"near": "22902", "page": "5"})
    assert response.status_code == 404
    html = response.content.decode()
    assert "Esa página está después de la última página de resultados." in html
    assert 'href="/es/programs/?near=22902">Ver la primera página de esta búsqueda' in html
    assert 'value="22902"' in html  # the search's form, as it was


def test_a_bad_page_keeps_a_good_page_size_and_a_bad_page_size_goes(client, evening_program):
    html = client.get("/programs/", {"near": "22902", "page": "0", "page_size": "50"}).content
    assert b'href="/programs/?near=22902&amp;page_size=50">Show the first page' in html
    html = client.get("/programs/", {"near": "22902", "page": "2", "page_size": "0"}).content
    assert b'href="/programs/?near=22902">Show the first page' in html


def test_a_preset_free_time_given_twice_is_the_preset(client, evening_program):
    html = client.get("/programs/?near=22902&free=sat-sun&free=sat-sun").content.decode()
    assert "As you gave it" not in html
    assert re.search(
        r'<input type="radio" name="free" value="sat-sun" id="id_free_\d+" checked>', html
    )


def test_every_page_answers_head_as_it_answers_get(client):
    """Uptime checks and link checkers send HEAD: it must not be refused where GET is not."""
    program = ProgramFactory(slug="harbor")
    paths = [
        "/", "/es/", "/healthz", "/robots.txt", "/programs/", "/programs/harbor/",
        "/api/programs/", "/api/programs/harbor/", "/guide/", "/shortlist/",
        "/shortlist/compare/", "/shortlist/sheet/", "/shortlist.csv", "/programs.csv",
        "/hsds/services/", f"/hsds/services/{program.uuid}/", "/manage/sign-in/",
    ]  # fmt: skip
    for path in paths:
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code, path
        assert head.status_code == 200, path
        assert head.content == b"", path


def test_a_track_open_on_a_rolling_basis_alone_reads_so(client):
    """The program page and the card say a track's openings alike."""
    from programs.models import Track

    program = ProgramFactory(slug="harbor")
    track_create(program, "Evening", [("mon", "18:00", "21:00")])
    Track.objects.filter(program=program).update(
        rolling_admission=True, availability_confirmed=datetime.date.today()
    )
    page = client.get("/programs/harbor/").content.decode()
    assert '<p class="openings">rolling admission' in page
    card = client.get("/programs/", {"near": "22902"}).content.decode()
    assert '<span class="openings"> · rolling admission</span>' in card
