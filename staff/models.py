"""Who keeps which listings, the changes that wait for a curator, and reminders sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import Program, Provider


class Membership(models.Model):
    """A person who keeps the listings of a provider (its programs only)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="memberships")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["provider__name", "user__email"]
        verbose_name = _("program staff member")
        verbose_name_plural = _("program staff")
        constraints = [
            models.UniqueConstraint(fields=["user", "provider"], name="membership_unique"),
        ]

    def __str__(self):
        return f"{self.user.email} ({self.provider})"


class PendingChange(models.Model):
    """A change a program asked for to facts that mislead most when wrong (name, address,
    phones, website, format, virtual states): it waits for a curator to approve or reject it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pending_changes")
    # {field: value} as submitted; virtual_states as a list of state codes, state as its code.
    changes = models.JSONField()
    # The same fields as they were when the change was submitted, to show beside it.
    previous = models.JSONField(default=dict)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note to the program"), blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("change waiting for review")
        verbose_name_plural = _("changes waiting for review")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected"]),
                name="pendingchange_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "created"], name="pendingchange_status_idx")]

    def __str__(self):
        return f"{self.program}: {', '.join(self.changes)} ({self.get_status_display()})"


class VerificationReminder(models.Model):
    """One reminder emailed to one person about one listing, so that none is sent twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()

    class Meta:
        ordering = ["-sent_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program", "sent_on"], name="verificationreminder_unique"
            ),
        ]

    def __str__(self):
        return f"{self.program} to {self.user} on {self.sent_on}"
