"""PostgreSQL: the published virtual and hybrid programs by key, with what a search reads of
them.

A search beside a place counts what "include virtual programs" would add (the way out of a
search with few results): the programs licensed in the place's state, outside its circle, that
meet its conditions. Reading those programs' rows one by one through the key cost the planner
more than hashing every track that meets the schedule condition (44,000 evening tracks at
100,000 programs), so it did that: 15-19 ms a search. With these programs' columns in an index
on their key it starts from the state's list instead: 2-4 ms. A narrow schedule condition (one
weekday) keeps its own plan, from the schedule's index (0.1 ms). docs/performance.md, "Sixth
round".
"""

from django.db import migrations

from ._postgresql import on_postgresql

POSTGRESQL = [
    "CREATE INDEX program_published_remote_idx ON programs_program (id) "
    "INCLUDE (latitude, longitude, lat_cell, name, treats_substance_use, treats_mental_health, "
    "co_occurring, availability, format, min_age, max_age, term_ids, lightest_track_minutes) "
    "WHERE status = 'published' AND format IN ('virtual', 'hybrid')",
]
POSTGRESQL_REVERSE = ["DROP INDEX IF EXISTS program_published_remote_idx"]


class Migration(migrations.Migration):
    dependencies = [("programs", "0014_latitude_cells")]

    operations = [
        on_postgresql(POSTGRESQL, POSTGRESQL_REVERSE),
    ]
