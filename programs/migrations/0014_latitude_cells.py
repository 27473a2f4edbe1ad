"""PostgreSQL: the place index by latitude band, and the same for the programs that list no
schedule.

- Each program's band of latitude, a quarter of a degree (about 17 miles), as a generated
  column, `lat_cell` (expressions.LatitudeCell), and the index of published programs on the
  band then the longitude, with what a search reads of them. A search's box is the bands it
  spans and, in each, its longitudes: the index on latitude then longitude (Program.Meta's
  `program_published_latlng_idx`, which SQLite keeps using) read every program of the box's
  latitudes across the country, 27,000 for the 2,400 of a 100-mile box at 100,000 programs.
- The same index for the programs that list no schedule (`lightest_track_minutes` null): a
  search that asks about schedules also counts the programs of its place that have not listed
  one (CONTRACT "Facts not listed"), and read every program of the place again to find few or
  none. Where most programs list no schedule (SAMHSA's directory) the planner keeps to the
  other.
"""

from django.db import migrations

from ._postgresql import on_postgresql

COLUMNS = (
    "INCLUDE (latitude, id, name, treats_substance_use, treats_mental_health, co_occurring, "
    "availability, format, min_age, max_age, term_ids{extra}) WHERE status = 'published'{where}"
)
POSTGRESQL = [
    "ALTER TABLE programs_program ADD COLUMN lat_cell smallint "
    "GENERATED ALWAYS AS (floor(latitude * 4)::smallint) STORED",
    "CREATE INDEX program_published_cell_idx ON programs_program (lat_cell, longitude) "
    + COLUMNS.format(extra=", lightest_track_minutes", where=""),
    "CREATE INDEX program_unlisted_schedule_idx ON programs_program (lat_cell, longitude) "
    + COLUMNS.format(extra="", where=" AND lightest_track_minutes IS NULL"),
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS program_unlisted_schedule_idx",
    "DROP INDEX IF EXISTS program_published_cell_idx",
    "ALTER TABLE programs_program DROP COLUMN IF EXISTS lat_cell",
]


class Migration(migrations.Migration):
    dependencies = [("programs", "0013_trackschedule_days_start_indexes")]

    operations = [
        on_postgresql(POSTGRESQL, POSTGRESQL_REVERSE),
    ]
