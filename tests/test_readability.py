"""Plain words: the pages a patient reads score at US school grade 8 or below (textstat's
Flesch-Kincaid grade over the text a visitor sees)."""

import re
from html.parser import HTMLParser

import pytest
import textstat

from .factories import ProgramFactory

pytestmark = pytest.mark.django_db

MAX_GRADE = 8


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


def grade(html):
    parser = VisibleText()
    parser.feed(html)
    return textstat.flesch_kincaid_grade(parser.text())


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
    [
        "/",
        "/programs/?near=22902",
        "/programs/?near=22902&therapy=dbt",
        "/programs/evening/",
        "/programs/?near=Atlantis%2C+VA",
        "/no-such-page/",
    ],
)
def test_patient_pages_read_at_grade_eight_or_below(client, program, path):
    response = client.get(path)
    assert response.status_code in {200, 404}
    assert grade(response.content.decode()) <= MAX_GRADE
