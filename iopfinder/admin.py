"""The admin site: Django's, with an index that tells curators what needs their attention.

It lives outside `programs.admin` because the default site must exist before any app's admin
module registers its models on it.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone


class SelectedIdsChecked:
    """A ModelAdmin mixin: an action posted with ids that are not ids (`_selected_action=abc`,
    which no checkbox sends) is refused with a message; Django's admin answered 500."""

    def response_action(self, request, queryset):
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                self.model._meta.pk.to_python(value)
        except ValidationError:
            self.message_user(
                request, "Nothing was done: the selection was not a list of rows.", messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)


class LabelledAutocomplete(AutocompleteJsonView):
    """The admin's autocomplete, where a ModelAdmin's `autocomplete_label(obj)`, if it has one,
    names each result (a provider with its programs' towns) instead of `str(obj)`."""

    def serialize_result(self, obj, to_field_name):
        label = getattr(self.model_admin, "autocomplete_label", None)
        result = super().serialize_result(obj, to_field_name)
        return {**result, "text": label(obj)} if label else result


class CuratorsAdminSite(admin.AdminSite):
    """The admin site, whose index tells curators what needs their attention."""

    def autocomplete_view(self, request):
        return LabelledAutocomplete.as_view(admin_site=self)(request)

    site_header = "IOP Finder curators"
    site_title = "IOP Finder admin"
    index_title = "Listings"

    def index(self, request, extra_context=None):
        extra_context = extra_context or {}
        from programs.models import Correction, Program

        if request.user.has_perm("programs.view_program"):
            extra_context["needs_verification_count"] = (
                Program.objects.needing_verification(
                    settings.STALE_AFTER_DAYS, timezone.localdate()
                )
                .exclude(status=Program.Status.ARCHIVED)
                .count()
            )
            extra_context["open_corrections_count"] = Correction.objects.filter(
                status=Correction.Status.OPEN
            ).count()
        if request.user.has_perm("staff.view_pendingchange"):
            from staff.models import PendingChange

            extra_context["pending_changes_count"] = PendingChange.objects.filter(
                status=PendingChange.Status.PENDING
            ).count()
        return super().index(request, extra_context)
