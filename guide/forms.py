"""The guide's questions: one small form a step, each turning its answer into search parameters
that ProgramFilterSet accepts (same names, same slugs). Errors carry codes; words are translated.

Answers travel from step to step in the URL's query string under those parameter names, so the
last step's query string is the search itself (less `safe`, which is the guide's own).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs import freetime, geo
from programs.vocabularies import LANGUAGES, PAYMENTS, STEP_DOWN_LEVELS

# Answers to the safety question that show the crisis lines first, on every page that follows.
NOT_SAFE = {"no", "unsure"}

# Plain-language labels for the search's vocabularies, keyed by their slugs (the slugs come
# from programs.vocabularies and programs.freetime; tests check that every one has a label).
FREE_TIME_LABELS = {
    "mon-fri@17:00-23:59;sat-sun": _("Weekday evenings (after 5 pm) and weekends"),
    "mon-fri@06:00-12:00": _("Weekday mornings (before noon)"),
    "mon-fri@08:00-17:00": _("Weekdays during the day (8 am to 5 pm)"),
    "sat-sun": _("Weekends only"),
}
PAYMENT_LABELS = {
    "medicaid": _("Medicaid"),
    "medicare": _("Medicare"),
    "private-insurance": _("Health insurance from a job or that I bought"),
    "tricare": _("TRICARE (military)"),
    "va": _("VA (veterans)"),
    "ihs-tribal": _("Indian Health Service or tribal funds"),
    "state-funded": _("State or public funds"),
    "self-pay": _("I will pay myself"),
    "sliding-scale": _("A lower price if I earn less (sliding fee scale)"),
    "payment-assistance": _("Help to pay"),
    "free": _("Free care"),
}
STEP_DOWN_LABELS = {
    "inpatient": _("Yes, a hospital stay or detox"),
    "residential": _("Yes, a residential program (I live there during treatment)"),
    "php": _("Yes, a day program (partial hospitalization)"),
}
LANGUAGE_LABELS = {
    "en": _("English"),
    "es": _("Spanish"),
    "zh": _("Chinese"),
    "vi": _("Vietnamese"),
    "ko": _("Korean"),
    "ru": _("Russian"),
    "ar": _("Arabic"),
    "fr": _("French"),
    "ht": _("Haitian Creole"),
    "pt": _("Portuguese"),
    "tl": _("Tagalog"),
    "pl": _("Polish"),
    "de": _("German"),
    "it": _("Italian"),
    "ja": _("Japanese"),
    "hi": _("Hindi"),
    "fa": _("Persian (Farsi)"),
    "he": _("Hebrew"),
    "el": _("Greek"),
    "nv": _("Navajo"),
    "ase": _("American Sign Language"),
    "hmn": _("Hmong"),
}
NO_ANSWER = _("Choose an answer, or skip this question.")


def _labelled(vocabulary, labels):
    """The vocabulary's slugs in its order, with the guide's words for them."""
    return [(slug, labels.get(slug, label)) for slug, label in vocabulary]


class GuideStepForm(forms.Form):
    """One question of the guide. Subclasses name the step, ask the question and say why."""

    slug = ""
    question = ""
    why = ""
    summary_label = ""  # what the last page calls this answer
    # Every question can be skipped: no field is announced as required.
    use_required_attribute = False

    def parameters(self):
        """The answer as (parameter, value) pairs for the search; none for "no answer"."""
        pairs = []
        for name in self.fields:
            value = self.cleaned_data.get(name)
            values = value if isinstance(value, list) else [value]
            pairs.extend((name, str(item)) for item in values if item not in (None, ""))
        return pairs

    def summary(self):
        """The answer as a person reads it on the last page."""
        texts = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            choices = dict(getattr(field, "choices", []))
            values = value if isinstance(value, list) else [value]
            texts.extend(str(choices.get(item, item)) for item in values if item not in (None, ""))
        return ", ".join(texts)


class SafetyForm(GuideStepForm):
    slug = "safety"
    question = _("Are you safe right now?")
    why = _("If you are not safe, we show you how to get help right away.")
    summary_label = _("Safe right now")

    safe = forms.ChoiceField(
        label=question,
        choices=[("yes", _("Yes")), ("no", _("No")), ("unsure", _("I am not sure"))],
        widget=forms.RadioSelect,
        error_messages={"required": NO_ANSWER, "invalid_choice": NO_ANSWER},
    )


class PlaceForm(GuideStepForm):
    slug = "where"
    question = _("Where do you want to get care?")
    why = _("You go to a program a few days a week, so we look for one near you.")
    summary_label = _("Near")

    near = forms.CharField(
        label=_("ZIP code, or city and state"),
        max_length=100,
        error_messages={
            "required": _("Type a ZIP code or a city, or skip this question."),
            "max_length": _("That is too long for a place. Type a ZIP code or a city."),
        },
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
    )

    suggestions = ()

    def clean_near(self):
        near = " ".join(self.cleaned_data["near"].split())
        try:
            geo.place_resolve(near)
        except geo.PlaceError as error:
            self.suggestions = error.suggestions
            if error.suggestions:
                raise ValidationError(
                    _("Several places have that name. Choose one below, or add the state."),
                    code="ambiguous_place",
                )
            raise ValidationError(
                _("We could not find that place. Try a ZIP code, like 22902."),
                code="unknown_place",
            )
        return near


class NeedForm(GuideStepForm):
    slug = "need"
    question = _("What do you want help with?")
    why = _("Some programs treat only one of these.")
    summary_label = _("Help with")

    need = forms.ChoiceField(
        label=question,
        choices=[
            ("substance-use", _("Alcohol or drugs")),
            ("mental-health", _("Mental health")),
            ("co-occurring", _("Both")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": NO_ANSWER, "invalid_choice": NO_ANSWER},
    )


class FreeTimeForm(GuideStepForm):
    slug = "when"
    question = _("When can you go?")
    why = _("Most programs meet in the morning or in the evening, and you go to one group.")
    summary_label = _("When you can go")

    free = forms.ChoiceField(
        label=question,
        choices=_labelled(freetime.PRESETS, FREE_TIME_LABELS),
        widget=forms.RadioSelect,
        error_messages={"required": NO_ANSWER, "invalid_choice": NO_ANSWER},
    )


class PaymentForm(GuideStepForm):
    slug = "payment"
    question = _("How will you pay?")
    why = _("We show programs that take at least one of the ways you choose.")
    summary_label = _("Pay with")

    payment = forms.MultipleChoiceField(
        label=question,
        help_text=_("Choose all that fit."),
        choices=_labelled(PAYMENTS, PAYMENT_LABELS),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": NO_ANSWER, "invalid_choice": NO_ANSWER},
    )

    def clean_payment(self):
        return list(dict.fromkeys(self.cleaned_data["payment"]))  # a repeat counts once


class StepDownForm(GuideStepForm):
    slug = "leaving"
    question = _("Are you leaving a hospital, a residential program or a day program?")
    why = _("Some programs are made for people who just left one of these.")
    summary_label = _("Leaving")

    step_down_from = forms.ChoiceField(
        label=question,
        choices=[*_labelled(STEP_DOWN_LEVELS, STEP_DOWN_LABELS), ("none", _("No"))],
        widget=forms.RadioSelect,
        error_messages={"required": NO_ANSWER, "invalid_choice": NO_ANSWER},
    )

    def parameters(self):
        if self.cleaned_data["step_down_from"] == "none":
            return []  # "No" asks for nothing: every program will do
        return super().parameters()


class AgeForm(GuideStepForm):
    slug = "age"
    question = _("How old is the person who needs care?")
    why = _("Some programs are only for teens, and some only for adults.")
    summary_label = _("Age")

    age = forms.IntegerField(
        label=_("Age in years"),
        min_value=0,
        max_value=120,
        error_messages={
            "required": _("Type an age in years, or skip this question."),
            "invalid": _("Type the age as a number, like 34."),
            "min_value": _("Type an age from 0 to 120."),
            "max_value": _("Type an age from 0 to 120."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class LanguageForm(GuideStepForm):
    slug = "language"
    question = _("In what language do you want care?")
    why = _("We look for programs that offer care in that language.")
    summary_label = _("Language")

    language = forms.ChoiceField(
        label=_("Language"),
        choices=[
            ("", pgettext_lazy("language", "Choose a language")),
            *_labelled(LANGUAGES, LANGUAGE_LABELS),
        ],
        error_messages={"required": NO_ANSWER, "invalid_choice": NO_ANSWER},
    )


STEPS = [
    SafetyForm,
    PlaceForm,
    NeedForm,
    FreeTimeForm,
    PaymentForm,
    StepDownForm,
    AgeForm,
    LanguageForm,
]
STEPS_BY_SLUG = {step.slug: step for step in STEPS}


def answers_read(query):
    """The valid answers a query string carries, step by step: ({slug: form}, [bad slugs]).

    A step whose parameters are absent has no answer; one whose values do not pass its form
    (an edited link) is left out and named, so the page can say so rather than guess.
    """
    answers, bad = {}, []
    for step in STEPS:
        if not any(query.get(name) for name in step.base_fields):
            continue
        form = step(query)
        if form.is_valid():
            answers[step.slug] = form
        else:
            bad.append(step.slug)
    return answers, bad
