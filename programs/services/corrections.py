"""Reports from the public that a listing is wrong, and their review by curators."""

from django.db import transaction
from django.utils import timezone

from ..models import Correction, Program


def correction_create(*, program: Program, message: str, contact: str = "") -> Correction:
    """Store a report from the public for curators; it never changes the listing itself."""
    return Correction.objects.create(program=program, message=message, contact=contact)


@transaction.atomic
def corrections_resolve(*, corrections, user, resolution: str = "") -> int:
    """Mark corrections handled by `user`, with what was done; each listing's history says so
    (a record with the reason, as an import's or a verification's)."""
    corrections = list(
        Correction.objects.filter(
            pk__in=[c.pk for c in corrections], status=Correction.Status.OPEN
        ).select_related("program")
    )
    now = timezone.now()
    for correction in corrections:
        correction.status = Correction.Status.RESOLVED
        correction.resolved_at, correction.resolved_by = now, user
        correction.resolution = resolution or correction.resolution
        correction.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
        program = correction.program
        program._history_user = user
        done = f": {correction.resolution}" if correction.resolution else "."
        program._change_reason = f"Report #{correction.pk} resolved{done}"[:100]
        program.save(update_fields=["updated"])
    return len(corrections)
