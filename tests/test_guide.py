"""The guide (/guide/, /es/guide/): each question, skipping, bad answers, the crisis lines first,
nothing stored, the search it ends in, Spanish, and plain words in both languages."""

import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import polib
import pytest
import textstat
from django.contrib.sessions.models import Session
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from guide.forms import (
    FREE_TIME_LABELS,
    LANGUAGE_LABELS,
    PAYMENT_LABELS,
    STEP_DOWN_LABELS,
    STEPS,
)
from programs import freetime
from programs.filtersets import ProgramFilterSet
from programs.models import Program
from programs.vocabularies import LANGUAGES, PAYMENTS, STEP_DOWN_LEVELS

from .factories import ProgramFactory
from .test_readability import MAX_GRADE, VisibleText, grade

pytestmark = pytest.mark.django_db

CATALOGUE = Path(__file__).resolve().parent.parent / "guide/locale/es/LC_MESSAGES"
SLUGS = [step.slug for step in STEPS]
FORM_CONTROL = re.compile(r"<(input|select|textarea|button)\b")
# One full set of answers, as the search receives them.
ANSWERS = {
    "safety": {"safe": "yes"},
    "where": {"near": "22902"},
    "need": {"need": "substance-use"},
    "when": {"free": "mon-fri@17:00-23:59;sat-sun"},
    "payment": {"payment": ["medicaid", "sliding-scale"]},
    "leaving": {"step_down_from": "residential"},
    "age": {"age": "34"},
    "language": {"language": "es"},
}


def step_path(slug, language=None):
    with translation.override(language):
        if slug == "safety":
            return reverse("guide:start")
        if slug == "done":
            return reverse("guide:done")
        return reverse("guide:step", args=[slug])


def query_of(url):
    """The query string of a URL as a sorted list of pairs."""
    return sorted(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def error_codes(response):
    form = response.context["form"]
    return [error.code for errors in form.errors.as_data().values() for error in errors]


def main_html(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return parser.text()


@pytest.fixture
def evening_program():
    """Matches every answer in ANSWERS."""
    return ProgramFactory(
        name="Harbor Evening IOP",
        slug="harbor-evening-iop",
        min_age=18,
        terms={
            "payment": ["medicaid"],
            "step_down": ["residential"],
            "language": ["en", "es"],
        },
        tracks={"Evening": [("mon", "18:00", "21:00"), ("wed", "18:00", "21:00")]},
    )


@pytest.fixture
def morning_program():
    """Fails the free time: a morning track only."""
    return ProgramFactory(
        name="Sunrise Morning IOP",
        slug="sunrise-morning-iop",
        terms={"payment": ["medicaid"], "step_down": ["residential"], "language": ["es"]},
        tracks={"Morning": [("tue", "09:00", "12:00"), ("thu", "09:00", "12:00")]},
    )


# Each question


@pytest.mark.parametrize("number,step", list(enumerate(STEPS, start=1)))
def test_each_question_says_why_it_is_asked_and_where_it_stands(client, number, step):
    response = client.get(step_path(step.slug))
    assert response.status_code == 200
    html = response.content.decode()
    assert str(step.question) in html
    assert f'id="guide-why">{step.why}' in html
    assert f"Question {number} of {len(STEPS)}" in html
    assert 'name="go" value="skip"' in html and 'name="go" value="next"' in html
    assert 'method="get"' in html
    assert " required" not in html  # every question can be skipped


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_reason_is_one_sentence(language):
    with translation.override(language):
        for step in STEPS:
            why = str(step.why)
            assert why[-1] == "." and not re.search(r"[.!?]\s", why), why


@pytest.mark.parametrize("index", range(len(STEPS)))
def test_skip_goes_on_without_the_answer_and_keeps_the_others(client, index):
    step = STEPS[index]
    earlier = {"near": "22902", "age": "40"}
    response = client.get(step_path(step.slug), {**earlier, **ANSWERS[step.slug], "go": "skip"})
    assert response.status_code == 302
    following = SLUGS[index + 1] if index + 1 < len(SLUGS) else "done"
    assert urlsplit(response["Location"]).path == step_path(following)
    kept = {name: value for name, value in earlier.items() if name not in step.base_fields}
    assert query_of(response["Location"]) == sorted(kept.items())


@pytest.mark.parametrize("index", range(len(STEPS)))
def test_an_answer_goes_on_to_the_next_question_with_it(client, index):
    step = STEPS[index]
    response = client.get(step_path(step.slug), {**ANSWERS[step.slug], "go": "next"})
    assert response.status_code == 302
    following = SLUGS[index + 1] if index + 1 < len(SLUGS) else "done"
    assert urlsplit(response["Location"]).path == step_path(following)
    expected = QueryDict(mutable=True)
    for name, value in ANSWERS[step.slug].items():
        expected.setlist(name, value if isinstance(value, list) else [value])
    assert query_of(response["Location"]) == sorted(parse_qsl(expected.urlencode()))


def test_going_back_shows_the_earlier_answer_ticked(client):
    response = client.get(step_path("payment"), {"payment": ["medicaid", "free"], "age": "30"})
    html = response.content.decode()
    assert re.search(r'value="medicaid"[^>]* checked', html)
    assert re.search(r'value="free"[^>]* checked', html)
    assert not re.search(r'value="medicare"[^>]* checked', html)
    # The other answers ride along in hidden fields, not the one on this page.
    assert '<input type="hidden" name="age" value="30">' in html
    assert 'type="hidden" name="payment"' not in html


@pytest.mark.parametrize(
    "slug,parameters,code",
    [
        ("safety", {}, "required"),
        ("safety", {"safe": "maybe"}, "invalid_choice"),
        ("where", {"near": ""}, "required"),
        ("where", {"near": "Atlantis, VA"}, "unknown_place"),
        ("where", {"near": "springfield"}, "ambiguous_place"),
        ("where", {"near": "x" * 101}, "max_length"),
        ("where", {"near": "22902\x00"}, "null_characters_not_allowed"),
        ("need", {"need": "gambling"}, "invalid_choice"),
        ("when", {"free": "mon-fri@17:00-22:00"}, "invalid_choice"),  # presets only
        ("payment", {}, "required"),
        ("payment", {"payment": ["medicaid", "aetna"]}, "invalid_choice"),
        ("leaving", {"step_down_from": "jail"}, "invalid_choice"),
        ("age", {"age": "thirty"}, "invalid"),
        ("age", {"age": "121"}, "max_value"),
        ("age", {"age": "-1"}, "min_value"),
        ("age", {"age": "1e9"}, "invalid"),
        ("language", {"language": ""}, "required"),
        ("language", {"language": "klingon"}, "invalid_choice"),
    ],
)
def test_a_bad_answer_stays_on_its_question_with_a_message(client, slug, parameters, code):
    response = client.get(step_path(slug), {**parameters, "go": "next"})
    assert response.status_code == 200
    assert code in error_codes(response)
    html = response.content.decode()
    assert 'id="guide-error"' in html and 'class="error"' in html
    assert "Error:" in html.split("</title>")[0]


def test_a_place_many_states_have_offers_each_as_a_link_that_answers(client):
    response = client.get(step_path("where"), {"near": "springfield", "age": "30", "go": "next"})
    links = re.findall(r'<li><a href="([^"]+)">(Springfield, [A-Z]{2})</a>', main_html(response))
    assert links[0][1] == "Springfield, MA"
    href = links[0][0].replace("&amp;", "&")
    chosen = client.get(href)
    assert chosen.status_code == 302
    assert query_of(chosen["Location"]) == [("age", "30"), ("near", "Springfield, MA")]


def test_an_edited_earlier_answer_is_left_out_and_said_so(client):
    response = client.get(step_path("need"), {"near": "22902", "age": "200"})
    assert response.status_code == 200
    html = main_html(response)
    assert "We could not use an earlier answer" in html
    assert 'name="age"' not in html
    assert '<input type="hidden" name="near" value="22902">' in html


@pytest.mark.parametrize(
    "path",
    [
        "/guide/?go=next&safe=%00",
        "/guide/where/?go=next&near=%ff%fe",
        "/guide/age/?go=next&age=99999999999999999999999",
        "/guide/payment/?go=next" + "&payment=medicaid" * 200,
        "/guide/done/?near=%00&age=x&payment=zzz&safe=no&utm_source=mail",
        "/guide/when/?go=skip&free=%0A",
    ],
)
def test_nothing_a_client_sends_breaks_a_page(client, path):
    assert client.get(path).status_code in {200, 302}


def test_an_unknown_question_is_not_found_and_answers_are_never_posted(client):
    assert client.get("/guide/favourite-colour/").status_code == 404
    assert client.post(step_path("where"), {"near": "22902"}).status_code == 405


# Safety first


@pytest.mark.parametrize("answer", ["no", "unsure"])
def test_not_safe_shows_988_and_911_before_anything_else(client, answer):
    response = client.get(step_path("safety"), {"safe": answer, "go": "next"})
    assert response.status_code == 302
    response = client.get(response["Location"])
    html = response.content.decode()
    first_control = FORM_CONTROL.search(html).start()
    for link in ('href="tel:988"', 'href="sms:988"', 'href="tel:911"'):
        assert html.index(link) < first_control
    main = main_html(response)
    # The crisis lines open the page's own content, ahead of its question...
    assert main.index('href="tel:988"') < main.index("Question 2 of 8") < main.index("<h1")
    # ...and the person can still go on.
    assert 'name="go" value="next"' in main


def test_the_crisis_lines_stay_on_every_later_page_and_the_last(client):
    response = client.get(step_path("age"), {"safe": "no", "near": "22902"})
    assert 'class="guide-crisis"' in main_html(response)
    response = client.get(step_path("done"), {"safe": "unsure"})
    assert 'class="guide-crisis"' in main_html(response)


def test_the_first_question_holds_the_lines_for_javascript_to_show_at_once(client):
    html = main_html(client.get(step_path("safety")))
    assert re.search(r'class="guide-crisis"[^>]* hidden data-crisis-reveal', html)
    assert html.index('href="tel:988"') < FORM_CONTROL.search(html).start()
    assert "js/guide.js" in client.get(step_path("safety")).content.decode()


def test_safe_shows_no_crisis_box(client):
    response = client.get(step_path("where"), {"safe": "yes"})
    assert 'class="guide-crisis"' not in main_html(response)


# The end: a prefilled search


def walk(client, language=None, answers=ANSWERS):
    """Answer every question as a browser without JavaScript would: each page's form, its
    hidden fields and the answer; returns the last page's response."""
    url = step_path("safety", language)
    for step in STEPS:
        page = client.get(url)
        assert page.status_code == 200, url
        hidden = QueryDict(mutable=True)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.content.decode()
        ):
            hidden.appendlist(name, value.replace("&amp;", "&"))
        for name, value in answers.get(step.slug, {}).items():
            hidden.setlist(name, value if isinstance(value, list) else [value])
        hidden["go"] = "next" if step.slug in answers else "skip"
        response = client.get(f"{urlsplit(url).path}?{hidden.urlencode()}")
        assert response.status_code == 302, response.context and error_codes(response)
        url = response["Location"]
    assert urlsplit(url).path == step_path("done", language)
    return client.get(url)


def results_link(response):
    match = re.search(r'<a class="guide-button" href="([^"]+)"', response.content.decode())
    return match[1].replace("&amp;", "&")


def test_the_last_page_links_to_the_search_the_answers_make(client, evening_program):
    done = walk(client)
    assert done.status_code == 200
    html = main_html(done)
    assert "An intensive outpatient program (IOP)" in html
    link = results_link(done)
    assert urlsplit(link).path == reverse("programs:list")
    assert query_of(link) == sorted(
        [
            ("near", "22902"),
            ("need", "substance-use"),
            ("free", "mon-fri@17:00-23:59;sat-sun"),
            ("payment", "medicaid"),
            ("payment", "sliding-scale"),
            ("step_down_from", "residential"),
            ("age", "34"),
            ("language", "es"),
        ]
    )  # and never `safe`: the guide's own question
    for label in ("Near", "Help with", "Pay with", "Age", "Language"):
        assert f"<dt>{label}</dt>" in html


def test_the_search_finds_the_program_that_fits_every_answer(
    client, evening_program, morning_program
):
    response = client.get(results_link(walk(client)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 program near Charlottesville, VA 22902" in html
    assert "Harbor Evening IOP" in html and "Sunrise Morning IOP" not in html
    chips = re.findall(r'class="chip"><span class="visually-hidden">Remove </span>([^<]+) <', html)
    assert chips == [
        "Substance use",
        "Takes people leaving residential treatment",
        "Age 34",
        "Fits your free time",
        "Medicaid or Sliding fee scale",
        "Spanish",
    ]


def test_skipping_everything_ends_in_the_plain_search(client, evening_program):
    done = walk(client, answers={})
    assert results_link(done) == reverse("programs:list")
    assert "Your answers" not in main_html(done)


def test_every_choice_the_guide_offers_is_a_value_the_search_accepts(client):
    """Each answer of each question, through the one FilterSet that parses searches."""
    typed = {"near": ["22902", "charlottesville va", "Springfield, MA"], "age": ["0", "120"]}
    for step in STEPS:
        name, field = next(iter(step.base_fields.items()))
        values = typed.get(name) or [value for value, _label in field.choices if value]
        for value in values:
            form = step(QueryDict(f"{name}={value}"))
            assert form.is_valid(), (step.slug, value, form.errors)
            parameters = QueryDict(mutable=True)
            for parameter, item in form.parameters():
                if parameter != "safe":
                    parameters.appendlist(parameter, item)
            filterset = ProgramFilterSet(parameters, queryset=Program.objects.all())
            assert filterset.is_valid(), (step.slug, value, filterset.errors)


def test_the_guide_has_words_for_every_slug_of_the_search(client):
    assert set(FREE_TIME_LABELS) == {value for value, _label in freetime.PRESETS}
    assert set(PAYMENT_LABELS) == {slug for slug, _label in PAYMENTS}
    assert set(LANGUAGE_LABELS) == {slug for slug, _label in LANGUAGES}
    assert set(STEP_DOWN_LABELS) == {slug for slug, _label in STEP_DOWN_LEVELS}


# Nothing stored


def test_nothing_is_stored_no_cookie_no_session(client, evening_program):
    responses = [client.get(step_path("safety")), walk(client)]
    responses.append(client.get(step_path("where"), {"near": "springfield", "go": "next"}))
    for response in responses:
        assert not response.cookies, response.cookies
        assert "Set-Cookie" not in response.headers
    assert not client.cookies
    assert Session.objects.count() == 0
    for response in responses:  # nor does any cache keep the pages that hold the answers
        assert {"private", "no-store"} <= set(re.split(r",\s*", response["Cache-Control"]))


# Links to the guide


def test_home_page_and_header_link_to_the_guide(client):
    html = client.get("/").content.decode()
    assert html.count('href="/guide/"') == 2  # the header and the home page
    assert "Help me find a program" in html


# Spanish


def test_the_spanish_guide_is_in_spanish(client):
    response = client.get("/es/guide/")
    assert response.status_code == 200
    html = main_html(response)
    assert 'lang="es"' in html
    assert "¿Está a salvo en este momento?" in html
    assert "Pregunta 1 de 8" in html
    assert "Saltar esta pregunta" in html
    assert 'action="/es/guide/"' in html
    for english in ("Are you safe", "Question 1", "Skip this", "Next", "Yes"):
        assert english not in html


def test_the_spanish_guide_ends_in_the_spanish_search(client, evening_program):
    done = walk(client, language="es")
    html = main_html(done)
    assert "Un programa intensivo ambulatorio" in html
    assert "<dt>Cerca de</dt>" in html and "Alcohol o drogas" in html and "Cambiar" in html
    assert "Ver programas" in html
    link = results_link(done)
    with translation.override("es"):
        assert urlsplit(link).path == reverse("programs:list")
    assert ("language", "es") in query_of(link)
    response = client.get(link)
    assert response.status_code == 200 and "Harbor Evening IOP" in response.content.decode()


def test_spanish_errors_are_in_spanish(client):
    response = client.get("/es/guide/age/", {"age": "treinta", "go": "next"})
    assert error_codes(response) == ["invalid"]
    assert "Escriba la edad con números, como 34." in main_html(response)


def test_spanish_crisis_lines_say_how_to_get_988_in_spanish(client):
    response = client.get("/es/guide/where/", {"safe": "no"})
    html = main_html(response)
    assert "Llame al 988" in html and "marque 2" in html and "AYUDA" in html


def test_the_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert not po.metadata_is_fuzzy
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in mo if entry.msgid}
    source = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in po.translated_entries()}
    assert compiled == source, "run compilemessages in guide/ (README: The guide)"


def test_no_other_catalogue_overrides_the_guides_words():
    """Apps listed earlier (the admin's "Change" is "Modificar") win: the guide's short words
    carry a context where they would collide."""
    po = polib.pofile(str(CATALOGUE / "django.po"))
    with translation.override("es"):
        shown = {
            entry.msgid: translation.pgettext(entry.msgctxt, entry.msgid)
            if entry.msgctxt
            else translation.gettext(entry.msgid)
            for entry in po
        }
    assert shown == {entry.msgid: entry.msgstr for entry in po}


def test_msgfmt_accepts_the_catalogue(tmp_path):
    msgfmt = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(CATALOGUE / "django.po")],
        capture_output=True,
        text=True,
    )
    if msgfmt.returncode == 127:
        pytest.skip("msgfmt is not installed")
    assert msgfmt.returncode == 0, msgfmt.stderr


# Plain words

GUIDE_PAGES = [
    ("safety", {}),
    ("where", {"safe": "no"}),
    ("need", {}),
    ("when", {}),
    ("payment", {}),
    ("leaving", {}),
    ("age", {"age": "x", "go": "next"}),
    ("language", {}),
    ("done", {"near": "22902", "need": "co-occurring", "payment": "medicaid", "age": "34"}),
]


@pytest.mark.parametrize("slug,parameters", GUIDE_PAGES)
def test_english_guide_reads_at_grade_eight_or_below(client, slug, parameters):
    response = client.get(step_path(slug), parameters)
    assert grade(response.content.decode()) <= MAX_GRADE


@pytest.fixture
def spanish_textstat():
    textstat.set_lang("es")
    yield textstat
    textstat.set_lang("en_US")


# Fernández Huerta: 70 and up reads "fairly easy" (bastante fácil) or easier.
MIN_FERNANDEZ_HUERTA = 70


@pytest.mark.parametrize("slug,parameters", GUIDE_PAGES)
def test_spanish_guide_reads_fairly_easy_or_easier(client, spanish_textstat, slug, parameters):
    response = client.get(step_path(slug, "es"), parameters)
    # The guide's own words (the header and footer belong to the pages' translation).
    text = visible_text(main_html(response) + "</main>")
    assert spanish_textstat.fernandez_huerta(text) >= MIN_FERNANDEZ_HUERTA, text
