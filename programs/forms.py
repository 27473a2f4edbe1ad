"""Forms the public fills in."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Correction


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
