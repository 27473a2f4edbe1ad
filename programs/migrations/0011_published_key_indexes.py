from django.db import migrations, models


class Migration(migrations.Migration):
    """Published programs by slug (HSDS pages read their keys from it) and by key with their
    names (a search without a place reads the country from it): Program.Meta says why."""

    dependencies = [("programs", "0010_schedule_search_columns")]

    operations = [
        migrations.AddIndex(
            model_name="program",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["slug"],
                name="program_published_slug_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="program",
            index=models.Index(
                condition=models.Q(("status", "published")),
                fields=["id"],
                include=("name",),
                name="program_published_id_idx",
            ),
        ),
    ]
