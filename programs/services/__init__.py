"""Writes to the catalogue, by job. Every multi-step change goes through one of these functions.

- `listings`: schedules, publishing, archiving, verifying, availability;
- `corrections`: reports from the public and their review;
- `imports`: imports from `programs.sources` (all or nothing) and the export;
- `seeding`: demo listings in bulk, and the planner's statistics after a bulk write.

Callers use the package (`from programs import services; services.programs_publish(...)`).
"""

from .corrections import correction_create, corrections_resolve
from .imports import ImportReport, programs_export, programs_import
from .listings import (
    program_verify_by_provider,
    program_version,
    programs_archive,
    programs_publish,
    programs_verify,
    track_availability_set,
    track_schedule_set,
)
from .seeding import catalogue_statistics_refresh, demo_programs_delete, demo_programs_seed

__all__ = [
    "ImportReport",
    "catalogue_statistics_refresh",
    "correction_create",
    "corrections_resolve",
    "demo_programs_delete",
    "demo_programs_seed",
    "program_verify_by_provider",
    "program_version",
    "programs_archive",
    "programs_export",
    "programs_import",
    "programs_publish",
    "programs_verify",
    "track_availability_set",
    "track_schedule_set",
]
