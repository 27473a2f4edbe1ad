"""The admin site: Django's, with an index that tells curators what needs their attention.

It lives outside `programs.admin` because the default site must exist before any app's admin
module registers its models on it.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone


class IdsChecked:
    """A ModelAdmin mixin for ids a client sends that are not ids, which Django's admin and
    simple_history's pages answered with a 500: an action posted with `_selected_action=abc`
    (no checkbox sends one) is refused with a message; a history page of `/abc/history/` or
    `/1/history/abc/` is not found."""

    def checked_id(self, value, field=None):
        """`value` as the model's primary key (or `field`'s); Http404 when it cannot be one."""
        try:
            return (field or self.model._meta.pk).to_python(unquote(str(value)))
        except ValidationError:
            raise Http404("No such row.")

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

    def history_view(self, request, object_id, extra_context=None):
        self.checked_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.checked_id(object_id)
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        self.checked_id(version_id, history._meta.pk)
        return super().history_form_view(request, object_id, version_id, extra_context)


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
