"""Reports from the public that a listing is wrong, and their review by curators."""

from django.db import transaction
from django.utils import timezone

from ..models import Correction, Program


def correction_create(*, program: Program, message: str, contact: str = "") -> Correction:
    """Store a report from the public for curators; it never changes the listing itself."""
    return Correction.objects.create(program=program, message=message, contact=contact)


@transaction.atomic
def corrections_resolve(*, corrections, user) -> int:
    """Mark corrections handled by `user`."""
    return Correction.objects.filter(pk__in=[c.pk for c in corrections]).update(
        status=Correction.Status.RESOLVED, resolved_at=timezone.now(), resolved_by=user
    )
