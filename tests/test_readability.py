"""Plain words: the pages a patient reads score at US school grade 8 or below (textstat's
Flesch-Kincaid grade over the text a visitor sees), and their Spanish reads "fairly easy" or
easier (Fernández Huerta's score, 70 or more, for readers at about grade 8)."""

import re
from html.parser import HTMLParser

import pytest
import textstat

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db

MAX_GRADE = 8
PATIENT_PAGES = [
    "/",
    "/programs/?near=22902",
    "/programs/?near=22902&therapy=dbt",
    "/programs/evening/",
    "/programs/?near=Atlantis%2C+VA",
    "/no-such-page/",
]
# Fernández Huerta's scale: 60-70 "normal", 70-80 "bastante fácil" (fairly easy), 80+ easy.
MIN_FERNANDEZ_HUERTA = 70


class VisibleText(HTMLParser):
    """The words a visitor reads: no scripts, styles, hidden inputs or <option> lists (a list
    of choices is not prose), sentences ended where blocks end."""

    SKIP = {"script", "style", "option", "template", "head"}
    BLOCKS = {
        "p",
        "li",
        "h1",
        "h2",
        "h3",
        "dt",
        "dd",
        "label",
        "legend",
        "summary",
        "a",
        "th",
        "td",
    }

    def __init__(self):
        super().__init__()
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping -= 1
        elif tag in self.BLOCKS:
            self.parts.append(". ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)

    def text(self):
        text = re.sub(r"\s+", " ", "".join(self.parts))
        return re.sub(r"(\s*\.\s*){2,}", ". ", text).strip()


def visible_text(html):
    parser = VisibleText()
    parser.feed(html)
    return parser.text()


def grade(html):
    return textstat.flesch_kincaid_grade(visible_text(html))


@pytest.fixture
def spanish():
    """textstat counts syllables by language: Spanish for this test only."""
    textstat.set_lang("es")
    yield
    textstat.set_lang("en_US")


@pytest.fixture
def program():
    return ProgramFactory(
        name="Evening Recovery Program",
        slug="evening",
        description="Group and one-on-one help in the evening, three nights a week.",
        terms={"payment": ["medicaid"], "therapy": ["cbt"], "language": ["en"]},
        tracks={"Evening": [("mon", "18:00", "21:00"), ("wed", "18:00", "21:00")]},
    )


@pytest.mark.parametrize(
    "path",
    PATIENT_PAGES,
)
def test_patient_pages_read_at_grade_eight_or_below(client, program, path):
    response = client.get(path)
    assert response.status_code in {200, 404}
    assert grade(response.content.decode()) <= MAX_GRADE


@pytest.mark.parametrize("path", [f"/es{path}" for path in PATIENT_PAGES] + ["/es/shortlist/"])
def test_spanish_patient_pages_read_fairly_easy_or_easier(client, program, spanish, path):
    response = client.get(path)
    assert response.status_code in {200, 404}
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert textstat.fernandez_huerta(visible_text(html)) >= MIN_FERNANDEZ_HUERTA
