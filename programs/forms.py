"""Forms the public fills in, and a track's openings as programs and curators state them."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Correction, Track

# The most openings a track may state (the database's track_openings_range).
MAX_OPENINGS = 1000


class CorrectionForm(forms.ModelForm):
    """ "Report incorrect information": what is wrong, and optionally how to reach the sender."""

    # Left empty by people; bots that fill every field are refused.
    website = forms.CharField(required=False, widget=forms.HiddenInput, label=_("Leave empty"))

    class Meta:
        model = Correction
        fields = ["message", "contact"]
        labels = {
            "message": _("What is wrong or out of date?"),
            "contact": _("Your email or phone (optional, only if you want us to reply)"),
        }
        widgets = {"message": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if len(message) < 5:
            raise forms.ValidationError(
                _("Tell us a little more about what is wrong."), code="too_short"
            )
        return message

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."), code="not_empty")
        return ""


class TrackOpeningsForm(forms.ModelForm):
    """A track's openings, next start date and rolling admission, as its program's staff
    (staff.views) and curators (the admin's Tracks page) state them; saved by
    services.track_availability_set, which confirms them today."""

    class Meta:
        model = Track
        fields = ["openings", "next_start", "rolling_admission"]
        labels = {
            "openings": _("Openings"),
            "next_start": _("Next start date"),
            "rolling_admission": _("Rolling admission (people can start any week)"),
        }
        widgets = {
            "openings": forms.NumberInput(
                attrs={"min": 0, "max": MAX_OPENINGS, "inputmode": "numeric"}
            ),
            "next_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model field already refuses negatives (code "min_value"); the database caps at
        # MAX_OPENINGS, said here next to the field rather than as a broken constraint.
        self.fields["openings"].validators.append(MaxValueValidator(MAX_OPENINGS))
        self.fields["next_start"].input_formats = ["%Y-%m-%d"]

    def clean_next_start(self):
        value = self.cleaned_data.get("next_start")
        if value is not None and value < timezone.localdate():
            raise ValidationError(_("The next start date is in the past."), code="past")
        return value

    def state(self, user):
        """Save what the form was given as `user` states it: confirmed today, searches
        refreshed (services.track_availability_set)."""
        stated = {name: self.cleaned_data[name] for name in self._meta.fields}
        return services.track_availability_set(track=self.instance, user=user, **stated)
