"""Load the contract's controlled vocabularies and US states, and create the Curators group."""

from django.db import migrations

# The contract's slugs live in one place, programs/vocabularies.py. Loading is an upsert, so a
# later migration can run `load` again to add terms without duplicating any.
from programs.vocabularies import (
    LANGUAGES,
    PAYMENTS,
    POPULATIONS,
    STEP_DOWN_LEVELS,
    THERAPIES,
    US_STATES,
)

VOCABULARIES = {
    "therapy": THERAPIES,
    "payment": PAYMENTS,
    "population": POPULATIONS,
    "language": LANGUAGES,
    "step_down": STEP_DOWN_LEVELS,
}

# What curators may do: keep listings, tracks and sessions, review corrections. Nothing on users,
# groups or permissions, and no deleting of programs or providers (they archive instead).
CURATOR_PERMISSIONS = {
    "program": ["view", "add", "change"],
    "provider": ["view", "add", "change"],
    "track": ["view", "add", "change", "delete"],
    "session": ["view", "add", "change", "delete"],
    "correction": ["view", "change"],
    "term": ["view"],
    "state": ["view"],
}


def load(apps, schema_editor):
    Term = apps.get_model("programs", "Term")
    State = apps.get_model("programs", "State")
    for kind, entries in VOCABULARIES.items():
        for position, (slug, name) in enumerate(entries):
            Term.objects.update_or_create(
                kind=kind, slug=slug, defaults={"name": name, "position": position}
            )
    for code, name in US_STATES:
        State.objects.update_or_create(code=code, defaults={"name": name})


def create_curators(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; this group needs them now.
    app_config = apps.get_app_config("programs")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Curators")
    codenames = [
        f"{action}_{model}" for model, actions in CURATOR_PERMISSIONS.items() for action in actions
    ]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="programs", codename__in=codenames)
    )


def remove_curators(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0001_catalogue"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(create_curators, remove_curators),
    ]
