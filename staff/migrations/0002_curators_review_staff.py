"""Curators invite program staff and review the changes programs ask for."""

from django.db import migrations

CURATOR_PERMISSIONS = {
    "membership": ["add", "change", "delete", "view"],
    "pendingchange": ["change", "view"],
    "verificationreminder": ["view"],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the group needs them now.
    app_config = apps.get_app_config("staff")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Curators")
    codenames = [
        f"{action}_{model}" for model, actions in CURATOR_PERMISSIONS.items() for action in actions
    ]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="staff", codename__in=codenames)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Curators"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="staff"))


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("programs", "0002_vocabularies_and_curators"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
