"""The shortlist: keep, compare, print, share and download programs; and clean search URLs."""

import csv
import datetime
import io
import re
from urllib.parse import unquote

import pytest
from django.test import Client

from programs.models import Program
from shortlists import views as shortlist_views
from shortlists.storage import MAX_PROGRAMS

from .factories import ProgramFactory, track_create

pytestmark = pytest.mark.django_db

EVENING = [("mon", "18:00", "21:00"), ("tue", "18:00", "21:00"), ("thu", "18:00", "21:00")]


@pytest.fixture
def trio():
    """Three programs a clinician might shortlist for a Spanish-speaking 16-year-old."""
    raleigh = {"city": "Raleigh", "state_id": "NC", "zip": "27601", "latitude": 35.7796}
    first = ProgramFactory(
        name="Oak City Teen IOP",
        slug="oak-city-teen",
        intake_phone="919-555-0101",
        phone="919-555-0100",
        min_age=13,
        max_age=17,
        treats_mental_health=True,
        co_occurring=True,
        terms={"payment": ["private-insurance"], "language": ["en", "es"]},
        tracks={"Evening": EVENING},
        longitude=-78.6382,
        **raleigh,
    )
    second = ProgramFactory(
        name="Triangle Youth Recovery",
        slug="triangle-youth",
        phone="919-555-0200",
        min_age=12,
        max_age=18,
        terms={"payment": ["private-insurance", "medicaid"], "language": ["es"]},
        longitude=-78.70,
        **raleigh,
    )
    third = ProgramFactory(
        name="Carolina Virtual IOP",
        slug="carolina-virtual",
        phone="704-555-0300",
        format=Program.Format.VIRTUAL,
        virtual_states=["NC"],
        source="findtreatment",
        source_edition="2025",
        licenses=["State mental health license"],
        other_levels_of_care=["Partial hospitalization"],
        city="Charlotte",
        state_id="NC",
        zip="28202",
        latitude=35.2271,
        longitude=-80.8431,
    )
    return [first, second, third]


def listed(html):
    """The program names a shortlist page lists, in order."""
    return re.findall(r'<h2><a href="/programs/[^"]+/">([^<]+)</a></h2>', html)


def add(client, slug, **data):
    return client.post(f"/shortlist/add/{slug}/", data)


def test_add_without_javascript_lands_on_the_shortlist_which_lists_it(client, trio):
    response = add(client, "oak-city-teen", next="/programs/?near=raleigh")
    # The way back travels in the URL, never in the session: a search is health information.
    assert response.status_code == 302
    assert response["Location"] == "/shortlist/?back=%2Fprograms%2F%3Fnear%3Draleigh"
    assert "raleigh" not in str(dict(client.session))
    html = client.get(response["Location"]).content.decode()
    assert "Oak City Teen IOP is on your shortlist." in html
    assert 'href="/programs/?near=raleigh">Back to your search' in html
    assert 'href="tel:+19195550101"' in html
    assert 'action="/shortlist/remove/oak-city-teen/"' in html


def test_add_with_javascript_answers_json_and_keeps_the_order(client, trio):
    for count, program in enumerate(trio, start=1):
        response = client.post(f"/shortlist/add/{program.slug}/", HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response.json()["count"] == count and response.json()["added"] is True
    add(client, "oak-city-teen")  # again: no duplicate
    html = client.get("/shortlist/").content.decode()
    assert listed(html) == ["Oak City Teen IOP", "Triangle Youth Recovery", "Carolina Virtual IOP"]


def test_remove_and_remove_all(client, trio):
    for program in trio:
        add(client, program.slug)
    assert client.post("/shortlist/remove/triangle-youth/").status_code == 302
    html = client.get("/shortlist/").content.decode()
    assert listed(html) == ["Oak City Teen IOP", "Carolina Virtual IOP"]
    client.post("/shortlist/clear/")
    assert "No programs here yet." in client.get("/shortlist/").content.decode()


def test_posts_for_programs_that_do_not_exist_are_404_and_need_no_login(client, trio):
    ProgramFactory(slug="a-draft", status=Program.Status.DRAFT)
    assert add(client, "no-such-program").status_code == 404
    assert add(client, "a-draft").status_code == 404
    assert client.post("/shortlist/remove/no-such-program/").status_code == 404
    assert client.get("/shortlist/add/oak-city-teen/").status_code == 405
    for path in ["/shortlist/", "/shortlist/compare/", "/shortlist/sheet/", "/shortlist.csv"]:
        assert client.get(path).status_code == 200, path


def test_a_shortlist_holds_at_most_twenty(client):
    programs = [ProgramFactory() for _ in range(MAX_PROGRAMS + 1)]
    for program in programs[:MAX_PROGRAMS]:
        add(client, program.slug)
    response = client.post(f"/shortlist/add/{programs[-1].slug}/", HTTP_ACCEPT="application/json")
    assert response.status_code == 409 and response.json()["count"] == MAX_PROGRAMS
    add(client, programs[-1].slug)
    html = client.get("/shortlist/").content.decode()
    assert "Your shortlist is full (20 programs)" in html
    assert programs[-1].name not in listed(html) and len(listed(html)) == MAX_PROGRAMS


def test_add_needs_a_csrf_token_and_the_cached_results_page_gives_each_visitor_theirs(trio):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    assert first.post("/shortlist/add/oak-city-teen/").status_code == 403
    pages = [visitor.get("/programs/", {"near": "raleigh, nc"}) for visitor in (first, second)]
    for visitor, page in zip((first, second), pages, strict=True):
        html = page.content.decode()
        assert "__shortlist_csrf_token__" not in html
        form = re.search(r'action="/shortlist/add/oak-city-teen/".*?</form>', html, re.S).group()
        data = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
        assert data["from_label"] == "Raleigh, NC"
        assert visitor.post("/shortlist/add/oak-city-teen/", data).status_code == 302
        assert "Oak City Teen IOP" in visitor.get("/shortlist/").content.decode()


def test_a_shared_link_shows_the_same_programs_to_anyone_and_says_what_it_skipped(client, trio):
    ProgramFactory(slug="archived-one", status=Program.Status.ARCHIVED)
    url = "/shortlist/?p=carolina-virtual,oak-city-teen,nope,archived-one,<b>x</b>"
    html = Client().get(url).content.decode()
    assert listed(html) == ["Carolina Virtual IOP", "Oak City Teen IOP"]
    assert "Skipped, not (or no longer) listed: nope, archived-one." in html
    assert "Skipped 1 entry that is not a program" in html
    assert "<b>x</b>" not in html
    assert "Shared shortlist" in html and "remove/" not in html
    # Opening a shared link does not change the visitor's own shortlist; saving it does.
    assert "No programs here yet." in client.get("/shortlist/").content.decode()
    client.post("/shortlist/save/", {"p": ["carolina-virtual", "oak-city-teen"]})
    assert listed(client.get("/shortlist/").content.decode()) == [
        "Carolina Virtual IOP",
        "Oak City Teen IOP",
    ]


def test_a_shared_link_with_more_than_twenty_is_cut(client):
    programs = [ProgramFactory() for _ in range(MAX_PROGRAMS + 2)]
    url = "/shortlist/?p=" + ",".join(program.slug for program in programs)
    html = client.get(url).content.decode()
    assert html.count('class="shortlist-item"') == MAX_PROGRAMS
    assert "This link names 22 programs; a shortlist holds the first 20." in html


def test_share_link_and_email_list_programs_with_phones_and_links_and_no_place(client, trio):
    add(client, "oak-city-teen", from_label="Raleigh, NC", from_lat="35.78", from_lng="-78.64")
    add(client, "triangle-youth")
    html = client.get("/shortlist/").content.decode()
    share = "http://testserver/shortlist/?p=oak-city-teen,triangle-youth"
    assert f'value="{share}"' in html
    mailto = unquote(re.search(r'href="(mailto:[^"]+)"', html).group(1))
    oak_city = ProgramFactory._meta.model.objects.get(slug="oak-city-teen")
    assert (
        f"Oak City Teen IOP, {oak_city.provider.name}\nRaleigh, NC\n"
        "Intake: 919-555-0101\nPhone: 919-555-0100"
    ) in mailto
    assert "http://testserver/programs/triangle-youth/" in mailto
    # Where the programs are, never where the patient searched from.
    assert share in mailto and "35.78" not in mailto and "Raleigh, NC\n" in mailto


def test_compare_puts_programs_side_by_side_and_says_what_is_not_listed(
    client, trio, django_assert_max_num_queries
):
    track = trio[0].tracks.get()
    track.openings, track.next_start = 3, datetime.date(2026, 12, 7)
    track.availability_confirmed = datetime.date.today()
    track.save()
    stale = track_create(trio[1], "Day", [("mon", "09:00", "12:00")])
    stale.openings, stale.availability_confirmed = 5, datetime.date.today() - datetime.timedelta(30)
    stale.save()
    add(client, "oak-city-teen", from_label="Raleigh, NC", from_lat="35.7796", from_lng="-78.6382")
    add(client, "triangle-youth")
    add(client, "carolina-virtual")
    with django_assert_max_num_queries(12):
        response = client.get("/shortlist/compare/")
    html = response.content.decode()
    assert html.count('<th scope="col">') == 3
    assert "0.0 mi from Raleigh, NC" in html
    assert html.count("Search from a place to see it") == 2
    assert "Evening: Mon, Tue, Thu 6-9 pm, 9 h/week" in html
    assert "Evening: 3 openings, next start Dec. 7, 2026" in html
    assert "Day: not listed" in html  # openings confirmed 30 days ago no longer count
    assert "Virtual; virtual care licensed in NC" in html
    assert "13 to 17" in html and "Spanish" in html
    assert "SAMHSA" in html or "FindTreatment" in html
    assert "State mental health license" in html and "Partial hospitalization" in html
    assert "by a curator" in html
    assert 'class="not-listed"' in html
    assert 'href="tel:+19195550101"' in html


def test_the_referral_sheet_fits_four_programs_a_page_and_keeps_the_note_local(client):
    programs = [ProgramFactory(intake_phone=f"434-555-01{n:02d}") for n in range(5)]
    for program in programs:
        add(client, program.slug)
    html = client.get("/shortlist/sheet/").content.decode()
    assert html.count('class="sheet-page"') == 2 and html.count('class="sheet-program"') == 5
    assert '<ol class="sheet-programs" start="5">' in html
    assert "988" in html and "What to say when you call" in html
    assert datetime.date.today().strftime("%Y") in html and "Printed" in html
    assert 'href="tel:+14345550104"' in html
    # The note is a textarea without a name on a page without a form: nothing can send it.
    assert 'id="sheet-note"' in html and "<form" not in html
    assert 'name="' not in re.search(r"<textarea[^>]*>", html).group()


def read_csv(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_shortlist_csv_has_the_compare_columns_and_neutralizes_formulas(client, trio):
    ProgramFactory(name='=HYPERLINK("http://evil.example","x")', slug="formula", phone="+1 555")
    add(client, "oak-city-teen", from_label="Raleigh, NC", from_lat="35.7796", from_lng="-78.6382")
    add(client, "formula")
    response = client.get("/shortlist.csv")
    rows = read_csv(response)
    # The columns the README documents, written out: not read back from the code.
    assert list(rows[0]) == [
        "name", "provider", "url", "distance", "address", "format", "phone", "intake_phone",
        "website", "treats", "schedule", "openings", "payment", "therapies", "populations",
        "ages", "languages", "step_down_from", "other_levels_of_care", "licenses",
        "last_verified", "source",
    ]  # fmt: skip
    assert rows[0]["name"] == "Oak City Teen IOP"
    assert rows[0]["distance"] == "0.0 mi from Raleigh, NC"
    assert rows[0]["languages"] == "English; Spanish"
    assert rows[0]["intake_phone"] == "919-555-0101"
    assert rows[0]["url"] == "http://testserver/programs/oak-city-teen/"
    assert rows[1]["name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[1]["phone"] == "'+1 555"
    assert rows[1]["languages"] == "Not listed"
    shared = read_csv(Client().get("/shortlist.csv?p=triangle-youth"))
    assert [row["name"] for row in shared] == ["Triangle Youth Recovery"]


def test_programs_csv_is_the_search_of_the_results_page(client, trio, monkeypatch):
    ProgramFactory(name="Hidden draft", status=Program.Status.DRAFT, city="Raleigh")
    rows = read_csv(client.get("/programs.csv", {"near": "Raleigh, NC", "language": "es"}))
    assert [row["name"] for row in rows] == ["Oak City Teen IOP", "Triangle Youth Recovery"]
    assert rows[1]["distance"].endswith("mi from Raleigh, NC")
    rows = read_csv(
        client.get("/programs.csv", {"near": "Raleigh, NC", "virtual": "only", "age": "16"})
    )
    assert [row["name"] for row in rows] == ["Carolina Virtual IOP"]
    monkeypatch.setattr(shortlist_views, "SEARCH_CSV_MAX_ROWS", 2)
    assert len(read_csv(client.get("/programs.csv", {"q": "IOP Recovery"}))) <= 2
    assert len(read_csv(client.get("/programs.csv"))) == 2


def test_programs_csv_refuses_bad_parameters_with_a_plain_message(client, trio):
    response = client.get("/programs.csv", {"near": "Atlantis", "hours_min": "lots"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "near: We could not find “Atlantis”" in text and "hours_min: Enter a number." in text


def test_search_urls_drop_empty_parameters(client, trio):
    response = client.get("/programs/?near=22902&radius=&age=&lat=&lng=&need=mental-health&need=")
    assert response.status_code == 302
    assert response["Location"] == "/programs/?near=22902&need=mental-health"
    assert client.get("/programs/?near=&radius=")["Location"] == "/programs/"
    assert client.get("/programs/?near=22902").status_code == 200
    assert client.get("/api/programs/?near=22902&q=").status_code != 302


def test_cards_show_phone_ages_languages_and_what_it_treats(client, trio):
    html = client.get("/programs/", {"near": "Raleigh, NC", "virtual": "include"}).content.decode()
    card = re.search(r'<article class="program-card">.*?Oak City Teen IOP.*?</article>', html, re.S)
    card = card.group()
    assert '<a href="tel:+19195550101">919-555-0101</a>' in card
    assert 'href="tel:+19195550100"' in card
    assert "Ages: 13 to 17" in card and "Languages: English, Spanish" in card
    assert "substance use, mental health (co-occurring)" in card
    assert 'action="/shortlist/add/oak-city-teen/"' in card
    assert 'href="/programs.csv?near=Raleigh%2C+NC&amp;virtual=include"' in html


def test_tick_programs_to_print_a_sheet_of_only_those(client):
    programs = [ProgramFactory() for _ in range(6)]
    for program in programs:
        add(client, program.slug)
    html = client.get("/shortlist/").content.decode()
    assert '<form id="sheet-form" method="get" action="/shortlist/sheet/">' in html
    assert html.count('form="sheet-form"') == 6 and html.count('form="sheet-form" id="sheet-') == 6
    ticked = re.findall(r'value="([^"]+)" form="sheet-form" id="[^"]+" checked', html)
    assert ticked == [program.slug for program in programs[:4]]
    sheet = client.get("/shortlist/sheet/", {"p": [programs[5].slug, programs[0].slug]})
    names = re.findall(r'<li class="sheet-program">\s*<h2>([^<]+)</h2>', sheet.content.decode())
    assert names == [programs[5].name, programs[0].name]


def test_the_referral_sheet_is_translatable_and_has_spanish(client, trio, settings):
    add(client, "oak-city-teen")
    html = client.get("/es/shortlist/sheet/").content.decode()
    assert '<html lang="es">' in html
    assert "Programas intensivos ambulatorios para llamar" in html
    assert "Qué decir al llamar" in html and "<strong>988</strong>" in html
    assert "Nota para el paciente" in html and "Impreso el" in html
    assert "Oak City Teen IOP" in html and "919-555-0101" in html


def test_own_list_links_keep_distances_and_shared_links_keep_the_list(
    client, trio, django_assert_max_num_queries
):
    add(client, "oak-city-teen", from_label="Raleigh, NC", from_lat="35.7796", from_lng="-78.6382")
    add(client, "triangle-youth")
    html = client.get("/shortlist/").content.decode()
    assert 'href="/shortlist/compare/"' in html and 'href="/shortlist/sheet/"' in html
    # The ticked programs' sheet is a ?p= link: programs on the visitor's own list keep their
    # place; a stranger opening the same link sees no distance.
    with django_assert_max_num_queries(12):
        sheet = client.get("/shortlist/sheet/?p=oak-city-teen").content.decode()
    assert "0.0 mi from Raleigh, NC" in sheet
    assert "mi from" not in Client().get("/shortlist/sheet/?p=oak-city-teen").content.decode()
    shared = Client().get("/shortlist/?p=triangle-youth").content.decode()
    assert 'href="/shortlist/compare/?p=triangle-youth"' in shared


def test_the_sheet_of_ticked_programs_is_the_visitors_own_and_none_ticked_is_none(client, trio):
    for program in trio:
        client.post(f"/shortlist/add/{program.slug}/", HTTP_ACCEPT="application/json")
    one = client.get("/shortlist/sheet/", {"ticked": "1", "p": trio[0].slug}).content.decode()
    assert trio[0].name in one and trio[1].name not in one
    assert "shared these programs" not in one
    none = client.get("/shortlist/sheet/", {"ticked": "1"}).content.decode()
    assert "Tick at least one program" in none and trio[0].name not in none


def test_a_distance_from_a_zip_codes_centre_says_about_everywhere(client, trio):
    Program.objects.filter(slug="oak-city-teen").update(location_precision="zip")
    add(client, "oak-city-teen", from_label="Raleigh, NC", from_lat="35.7796", from_lng="-78.6382")
    for path in ("/shortlist/", "/shortlist/sheet/", "/shortlist/compare/"):
        assert "about 0.0 mi from Raleigh, NC" in client.get(path).content.decode(), path
    spanish = client.get("/es/shortlist/").content.decode()
    assert "unas 0.0 millas" in spanish or "unas 0,0 millas" in spanish


def test_the_visitors_own_slugs_are_given_as_json_to_the_results_script(client, trio):
    assert client.get("/shortlist/", headers={"accept": "application/json"}).json() == {
        "slugs": [],
        "count": 0,
    }
    add(client, "oak-city-teen")
    response = client.get("/shortlist/", headers={"accept": "application/json"})
    assert response.json() == {"slugs": ["oak-city-teen"], "count": 1}
    assert "Accept" in response["Vary"] and "no-store" in response["Cache-Control"]
    # A shared link is a page: its slugs are in its address already.
    page = client.get("/shortlist/", {"p": "triangle-youth"})
    assert page["Content-Type"].startswith("text/html")
