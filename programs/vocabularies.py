"""The controlled vocabularies of the public contract (slugs and the labels people read).

The data migrations load these into the `Term` and `State` tables; code that needs only the fixed
lists (choices for fixed-vocabulary fields, place names) reads them from here.
"""

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

NEEDS = [
    ("substance-use", "Substance use"),
    ("mental-health", "Mental health"),
    ("co-occurring", "Both (co-occurring)"),
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
