"""The controlled vocabularies of the public contract (slugs and the labels people read).

The data migrations load these into the `Term` and `State` tables; code that needs only the fixed
lists (choices for fixed-vocabulary fields, place names) reads them from here.

Labels are English in the database (the data migrations store them) and marked with
`gettext_noop` for the catalogue: pages translate them as they show them (`Term.__str__`,
`vocabulary_label`).
"""

from django.utils.translation import gettext_noop

THERAPIES = [
    ("cbt", gettext_noop("Cognitive behavioral therapy (CBT)")),
    ("dbt", gettext_noop("Dialectical behavior therapy (DBT)")),
    ("mindfulness", gettext_noop("Mindfulness-based approaches")),
    ("act", gettext_noop("Acceptance and commitment therapy (ACT)")),
    ("motivational-interviewing", gettext_noop("Motivational interviewing")),
    ("contingency-management", gettext_noop("Contingency management")),
    ("relapse-prevention", gettext_noop("Relapse prevention")),
    ("trauma-focused", gettext_noop("Trauma-focused therapy")),
    ("family-therapy", gettext_noop("Family or couples therapy")),
    ("twelve-step", gettext_noop("12-step facilitation")),
    ("matrix-model", gettext_noop("Matrix Model")),
    ("group-therapy", gettext_noop("Group therapy")),
    ("individual-therapy", gettext_noop("Individual therapy")),
    ("medication-management", gettext_noop("Psychiatric medication management")),
    ("moud", gettext_noop("Medications for opioid or alcohol use disorder (MOUD/MAUD)")),
]

PAYMENTS = [
    ("medicaid", gettext_noop("Medicaid")),
    ("medicare", gettext_noop("Medicare")),
    ("private-insurance", gettext_noop("Private insurance")),
    ("tricare", gettext_noop("TRICARE (military)")),
    ("va", gettext_noop("VA (veterans)")),
    ("ihs-tribal", gettext_noop("IHS / tribal funds")),
    ("state-funded", gettext_noop("State or public funding")),
    ("self-pay", gettext_noop("Self-pay")),
    ("sliding-scale", gettext_noop("Sliding fee scale")),
    ("payment-assistance", gettext_noop("Payment assistance")),
    ("free", gettext_noop("Free care")),
]

POPULATIONS = [
    ("adolescents", gettext_noop("Adolescents")),
    ("young-adults", gettext_noop("Young adults")),
    ("seniors", gettext_noop("Seniors")),
    ("veterans", gettext_noop("Veterans")),
    ("active-military", gettext_noop("Active-duty military")),
    ("lgbtq", gettext_noop("LGBTQ+")),
    ("women", gettext_noop("Women")),
    ("men", gettext_noop("Men")),
    ("pregnant-postpartum", gettext_noop("Pregnant or postpartum")),
    ("criminal-justice", gettext_noop("People involved with the criminal justice system")),
    ("trauma-survivors", gettext_noop("Trauma survivors")),
    ("deaf-hard-of-hearing", gettext_noop("Deaf or hard of hearing")),
    ("professionals", gettext_noop("Professionals")),
]

LANGUAGES = [
    ("en", gettext_noop("English")),
    ("es", gettext_noop("Spanish")),
    ("zh", gettext_noop("Chinese")),
    ("vi", gettext_noop("Vietnamese")),
    ("ko", gettext_noop("Korean")),
    ("ru", gettext_noop("Russian")),
    ("ar", gettext_noop("Arabic")),
    ("fr", gettext_noop("French")),
    ("ht", gettext_noop("Haitian Creole")),
    ("pt", gettext_noop("Portuguese")),
    ("tl", gettext_noop("Tagalog")),
    ("pl", gettext_noop("Polish")),
    ("de", gettext_noop("German")),
    ("it", gettext_noop("Italian")),
    ("ja", gettext_noop("Japanese")),
    ("hi", gettext_noop("Hindi")),
    ("fa", gettext_noop("Persian (Farsi)")),
    ("he", gettext_noop("Hebrew")),
    ("el", gettext_noop("Greek")),
    ("nv", gettext_noop("Navajo")),
    ("ase", gettext_noop("American Sign Language")),
    ("hmn", gettext_noop("Hmong")),
]

STEP_DOWN_LEVELS = [
    ("inpatient", gettext_noop("Inpatient or hospital care")),
    ("residential", gettext_noop("Residential treatment")),
    ("php", gettext_noop("Partial hospitalization (PHP)")),
]

NEEDS = [
    ("substance-use", gettext_noop("Substance use")),
    ("mental-health", gettext_noop("Mental health")),
    ("co-occurring", gettext_noop("Both (co-occurring)")),
]

US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
    ("DC", "District of Columbia"), ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"),
    ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"),
    ("KY", "Kentucky"), ("LA", "Louisiana"), ("ME", "Maine"), ("MD", "Maryland"),
    ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"), ("MS", "Mississippi"),
    ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"),
    ("OR", "Oregon"), ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"),
    ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"),
    ("VT", "Vermont"), ("VA", "Virginia"), ("WA", "Washington"), ("WV", "West Virginia"),
    ("WI", "Wisconsin"), ("WY", "Wyoming"), ("PR", "Puerto Rico"), ("VI", "U.S. Virgin Islands"),
    ("GU", "Guam"), ("AS", "American Samoa"), ("MP", "Northern Mariana Islands"),
]  # fmt: skip
