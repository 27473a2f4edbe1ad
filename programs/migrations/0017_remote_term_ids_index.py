"""PostgreSQL: the terms of the published virtual and hybrid programs, in a GIN index of their
own.

A search with few results counts what "include virtual programs" would add: the programs
licensed in the place's state, outside its circle, that meet its conditions
(ProgramQuerySet.licensed_beyond). With terms asked for (a payment, a language), the planner
starts from the programs holding them, and through the GIN index on every program's terms
(0009) it read each one's row across the country to keep the remote ones: at 100,000
programs, Medicare and Mandarin near Wilmington, DE, 1,318 rows read for 239 remote ones, 3.4-5.3
ms of the page's counts. This index holds only the remote programs' terms: 389 rows, 1.7-2.5
ms. docs/performance.md, "Eighth round".
"""

from django.db import migrations

from ._postgresql import on_postgresql

POSTGRESQL = [
    "CREATE INDEX program_remote_term_ids_idx ON programs_program USING gin (term_ids) "
    "WHERE status = 'published' AND format IN ('virtual', 'hybrid')",
]
POSTGRESQL_REVERSE = ["DROP INDEX IF EXISTS program_remote_term_ids_idx"]


class Migration(migrations.Migration):
    dependencies = [("programs", "0016_heaviest_track_minutes")]

    operations = [
        on_postgresql(POSTGRESQL, POSTGRESQL_REVERSE),
    ]
