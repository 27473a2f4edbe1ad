"""Curators' side of program staff: invitations and the review queue."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from iopfinder.admin import IdsChecked

from . import services
from .models import Membership, PendingChange, VerificationReminder


class InviteForm(forms.ModelForm):
    """Invite someone to keep a provider's listings: they get a one-time sign-in link."""

    email = forms.EmailField(
        label=_("Email of the person to invite"),
        max_length=get_user_model()._meta.get_field("email").max_length,
    )

    class Meta:
        model = Membership
        fields = ["provider"]

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is not None and (user.is_staff or user.is_superuser):
            raise ValidationError(
                _("That address belongs to a curator's account; invite another."),
                code="curator_account",
            )
        return email


@admin.register(Membership)
class MembershipAdmin(IdsChecked, admin.ModelAdmin):
    list_display = ["user_email", "provider", "invited_by", "created"]
    # No filter by provider: SAMHSA's ~5,000 made the page half a megabyte. Search by its name.
    search_fields = ["user__email", "provider__name"]
    list_select_related = ["user", "provider", "invited_by"]
    autocomplete_fields = ["provider"]
    readonly_fields = ["user", "provider", "invited_by", "created"]

    @admin.display(description=_("email"), ordering="user__email")
    def user_email(self, membership):
        return membership.user.email

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = InviteForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["provider", "email"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_changeform_initial_data(self, request):
        return {"provider": request.GET.get("provider")}

    def save_model(self, request, obj, form, change):
        if change:
            return
        invitation = services.staff_invite(
            provider=form.cleaned_data["provider"],
            email=form.cleaned_data["email"],
            invited_by=request.user,
            base_url=request.build_absolute_uri("/"),
        )
        membership = invitation.membership
        obj.pk, obj.user = membership.pk, membership.user
        email = membership.user.email
        if invitation.sent:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": email})
        elif invitation.new_account:
            messages.warning(
                request,
                _(
                    "%(email)s can now keep these listings, but the email could not be sent "
                    "(the mail server did not take it). Send them this sign-in link yourself; "
                    "it works once, for %(days)d days: %(link)s"
                )
                % {
                    "email": email,
                    "days": settings.SESAME_MAX_AGE // 86400,
                    "link": invitation.link,
                },
            )
        else:
            # Their link would sign in as them, with every provider's listings they keep.
            messages.warning(
                request,
                _(
                    "%(email)s can now keep these listings, but the email could not be sent "
                    "(the mail server did not take it). They can ask for a sign-in link at "
                    "%(sign_in)s once mail works again."
                )
                % {
                    "email": email,
                    "sign_in": request.build_absolute_uri(reverse("manage:sign_in")),
                },
            )

    def response_add(self, request, obj, post_url_continue=None):
        # The admin's own "was added" message would repeat ours.
        return redirect(reverse("admin:staff_membership_changelist"))


class ReviewForm(forms.ModelForm):
    """Approve or reject a waiting change, with a note to the program."""

    decision = forms.ChoiceField(
        required=False,
        label=_("Decision"),
        choices=[("approve", _("Approve: apply to the listing")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = PendingChange
        fields = ["note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return PendingChange.Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value() or PendingChange.Status.PENDING)

    def choices(self, changelist):
        # Waiting changes by default: that is the queue.
        current = self.value() or PendingChange.Status.PENDING
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


@admin.register(PendingChange)
class PendingChangeAdmin(IdsChecked, admin.ModelAdmin):
    """The review queue: changes programs asked for to their name, address, phones, website,
    format or virtual states. Approve or reject each with a note."""

    form = ReviewForm
    list_display = ["program", "fields_changed", "submitted_by", "created", "status"]
    list_filter = [StatusFilter]
    search_fields = ["program__name", "program__slug", "submitted_by__email"]
    list_select_related = ["program", "submitted_by"]
    readonly_fields = [
        "program",
        "comparison",
        "submitted_by",
        "created",
        "status",
        "reviewed_by",
        "reviewed_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        fields = ["program", "comparison", "submitted_by", "created", "status"]
        if obj is not None and obj.status == PendingChange.Status.PENDING:
            return [*fields, "decision", "note"]
        return [*fields, "reviewed_by", "reviewed_at", "note"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != PendingChange.Status.PENDING:
            return [*self.readonly_fields, "note"]
        return self.readonly_fields

    @admin.display(description=_("fields"))
    def fields_changed(self, change):
        return ", ".join(change.changes)

    @admin.display(description=_("change asked for"))
    def comparison(self, change):
        # "Now" is the listing as it is today (a curator may have changed it since).
        program = change.program
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td><strong>{}</strong></td></tr>",
            (
                (name, _display(services.field_value(program, name)), _display(value))
                for name, value in change.changes.items()
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody>"
            "</table>",
            _("field"),
            _("now"),
            _("asked for"),
            rows,
        )

    def save_model(self, request, obj, form, change):
        if obj.status != PendingChange.Status.PENDING:
            return  # decided once and for all
        decision = form.cleaned_data.get("decision")
        note = form.cleaned_data.get("note", "")
        if decision == "approve":
            services.pending_change_approve(change=obj, user=request.user, note=note)
            messages.success(request, _("Approved: the listing shows the change now."))
        elif decision == "reject":
            services.pending_change_reject(change=obj, user=request.user, note=note)
            messages.success(request, _("Rejected: the listing stays as it was."))
        else:
            obj.save(update_fields=["note"])


def _display(value):
    if isinstance(value, list):
        return ", ".join(value) or "–"
    return "–" if value in (None, "") else value


@admin.register(VerificationReminder)
class VerificationReminderAdmin(IdsChecked, admin.ModelAdmin):
    list_display = ["program", "user", "sent_on"]
    list_select_related = ["program", "user"]
    search_fields = ["program__name", "user__email"]
    date_hierarchy = "sent_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
