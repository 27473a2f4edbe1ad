"""Load the contract's controlled vocabularies and US states, and create the Curators group."""

from django.db import migrations

# The vocabularies and states as they were when this migration was written, frozen here: a
# migration must do the same thing whenever it runs, so it does not read programs/vocabularies.py
# (which changes). A later change to the vocabularies comes with its own data migration;
# tests/test_migrations.py checks that the migrations' terms are those of vocabularies.py.
THERAPIES = [
    ("cbt", "Cognitive behavioral therapy (CBT)"),
    ("dbt", "Dialectical behavior therapy (DBT)"),
    ("mindfulness", "Mindfulness-based approaches"),
    ("act", "Acceptance and commitment therapy (ACT)"),
    ("motivational-interviewing", "Motivational interviewing"),
    ("contingency-management", "Contingency management"),
    ("relapse-prevention", "Relapse prevention"),
    ("trauma-focused", "Trauma-focused therapy"),
    ("family-therapy", "Family or couples therapy"),
    ("twelve-step", "12-step facilitation"),
    ("matrix-model", "Matrix Model"),
    ("group-therapy", "Group therapy"),
    ("individual-therapy", "Individual therapy"),
    ("medication-management", "Psychiatric medication management"),
    ("moud", "Medications for opioid or alcohol use disorder (MOUD/MAUD)"),
]
PAYMENTS = [
    ("medicaid", "Medicaid"),
    ("medicare", "Medicare"),
    ("private-insurance", "Private insurance"),
    ("tricare", "TRICARE (military)"),
    ("va", "VA (veterans)"),
    ("ihs-tribal", "IHS / tribal funds"),
    ("state-funded", "State or public funding"),
    ("self-pay", "Self-pay"),
    ("sliding-scale", "Sliding fee scale"),
    ("payment-assistance", "Payment assistance"),
    ("free", "Free care"),
]
POPULATIONS = [
    ("adolescents", "Adolescents"),
    ("young-adults", "Young adults"),
    ("seniors", "Seniors"),
    ("veterans", "Veterans"),
    ("active-military", "Active-duty military"),
    ("lgbtq", "LGBTQ+"),
    ("women", "Women"),
    ("men", "Men"),
    ("pregnant-postpartum", "Pregnant or postpartum"),
    ("criminal-justice", "People involved with the criminal justice system"),
    ("trauma-survivors", "Trauma survivors"),
    ("deaf-hard-of-hearing", "Deaf or hard of hearing"),
    ("professionals", "Professionals"),
]
LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("zh", "Chinese"),
    ("vi", "Vietnamese"),
    ("ko", "Korean"),
    ("ru", "Russian"),
    ("ar", "Arabic"),
    ("fr", "French"),
    ("ht", "Haitian Creole"),
    ("pt", "Portuguese"),
    ("tl", "Tagalog"),
    ("pl", "Polish"),
    ("de", "German"),
    ("it", "Italian"),
    ("ja", "Japanese"),
    ("hi", "Hindi"),
    ("fa", "Persian (Farsi)"),
    ("he", "Hebrew"),
    ("el", "Greek"),
    ("nv", "Navajo"),
    ("ase", "American Sign Language"),
    ("hmn", "Hmong"),
]
STEP_DOWN_LEVELS = [
    ("inpatient", "Inpatient or hospital care"),
    ("residential", "Residential treatment"),
    ("php", "Partial hospitalization (PHP)"),
]
US_STATES = [
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
    ("PR", "Puerto Rico"),
    ("VI", "U.S. Virgin Islands"),
    ("GU", "Guam"),
    ("AS", "American Samoa"),
    ("MP", "Northern Mariana Islands"),
]

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
