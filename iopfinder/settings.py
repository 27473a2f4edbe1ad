"""Settings for IOP Finder, read from the environment (see README "Configuration")."""

import importlib.util
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    """Read a comma-separated environment variable as a list of stripped items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production, "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "programs.apps.CuratorsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django_filters",
    "axes",
    "simple_history",
    "programs.apps.ProgramsConfig",
    "shortlists.apps.ShortlistsConfig",
    "staff.apps.StaffConfig",
    "guide.apps.GuideConfig",
]

MIDDLEWARE = [
    "iopfinder.middleware.ClientAddressMiddleware",
    "iopfinder.middleware.DatabaseTimeBudgetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "iopfinder.middleware.DatabaseUnavailableMiddleware",
    "iopfinder.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language comes from the URL (`/es/...`; English unprefixed), never from a cookie.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "shortlists.middleware.CsrfTokenPlaceholderMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "iopfinder.middleware.AdminNulCharacterMiddleware",
]

ROOT_URLCONF = "iopfinder.urls"
WSGI_APPLICATION = "iopfinder.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "programs.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# No request may spend longer than this many milliseconds in the database (PostgreSQL's
# statement_timeout, lowered for a request's later statements by DatabaseTimeBudgetMiddleware):
# a query that runs away ends in a 503 page, not in a worker killed by gunicorn after 30 s.
# manage.py defaults it to 0 (no limit) for migrations and imports.
STATEMENT_TIMEOUT_MS = int(os.environ.get("DJANGO_STATEMENT_TIMEOUT_MS", "2000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and STATEMENT_TIMEOUT_MS:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
    )
# At most this many uncached searches run at once on a gunicorn server (iopfinder/admission.py),
# so a burst of expensive searches leaves a core for every other page and for /healthz. A
# search waits up to SEARCH_SLOT_WAIT seconds for a slot, then gets the 503 page. 0: no limit.
SEARCH_SLOTS = int(os.environ.get("DJANGO_SEARCH_SLOTS", max(1, (os.cpu_count() or 2) - 1)))
SEARCH_SLOT_WAIT = float(os.environ.get("DJANGO_SEARCH_SLOT_WAIT", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite has no covering indexes: it builds the same indexes without their INCLUDE columns.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "sesame.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed admin logins: after AXES_FAILURE_LIMIT failures for one username from one client
# address, that username is refused from that address for AXES_COOLOFF_TIME hours. (Locking the
# address for every username let one person lock all curators out from a shared address.)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "iopfinder.ratelimits.login_lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"

LANGUAGE_CODE = "en"
# Public pages in English (unprefixed) and Spanish (`/es/...`); the API and the admin stay
# English. One catalogue for the project (locale/), apps may keep their own.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["iopfinder.formats"]
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Leaflet's files come from the django-leaflet package. Its app is not installed: its admin
# module needs GeoDjango (GDAL), which this site does not use.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    Path(importlib.util.find_spec("leaflet").submodule_search_locations[0]) / "static",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and `runserver` without collectstatic still find files in the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# One cache shared by every app server (REDIS_URL, e.g. redis://127.0.0.1:6379/1) holds search
# responses; without it each process keeps its own in memory. It is optional: when it fails,
# searches are answered uncached (programs/caching.py). Rate limits live in the database
# (`ratelimits`, a table `migrate` creates) so that they hold across processes without Redis.
if os.environ.get("REDIS_URL"):
    DEFAULT_CACHE = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "iopfinder",
        # An unreachable Redis must cost a request a fraction of a second, not a timeout.
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }
else:
    DEFAULT_CACHE = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "iopfinder",
        # Bounds a worker's memory: 1,200 different searches add about 15 MB with 200 kept
        # (docs/reliability.md); 1,000 entries had taken a worker from 215 to 395 MB.
        "OPTIONS": {"MAX_ENTRIES": 200},
    }
CACHES = {
    "default": DEFAULT_CACHE,
    "ratelimits": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "iopfinder_rate_limits",
        # Culling must not forget live counts: one row a report or failed attempt per hour.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

# Addresses or networks of the proxies in front of the site (e.g. `10.0.0.0/8,127.0.0.1`):
# behind them the client's address is read from X-Forwarded-For (iopfinder/middleware.py).
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", "")

# Security. TLS is usually terminated by a proxy in front of gunicorn: DJANGO_SECURE_PROXY_SSL
# makes Django trust its X-Forwarded-Proto header; DJANGO_SECURE=0 turns the HTTPS-only
# settings off for a plain-HTTP deployment (and they are off in debug).
SECURE = env_bool("DJANGO_SECURE", not DEBUG)
if env_bool("DJANGO_SECURE_PROXY_SSL", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = SECURE and env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# Load balancers check health over plain HTTP, inside the network: answer them, not 301.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")) if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
CSRF_FAILURE_VIEW = "iopfinder.views.csrf_failure"
SESSION_ENGINE = "iopfinder.sessions"  # Django's database sessions, hostile keys refused
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# Empty by default: no request leaves the site; the map draws the US states outline it serves
# itself (static/geo/us-states.json). Set a tile URL template to show street maps, which tells
# that tile server where visitors look.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors")

# Search responses are cached this many seconds (0 turns it off), keyed by the full URL and
# the time any program last changed, so an edit shows at once; a deletion within this bound.
SEARCH_CACHE_SECONDS = int(os.environ.get("SEARCH_CACHE_SECONDS", "60"))
# The most time a results page with few results spends counting what removing each condition
# would bring back (PostgreSQL); past it the page shows its conditions without those counts.
SEARCH_COUNTS_TIMEOUT_MS = int(os.environ.get("SEARCH_COUNTS_TIMEOUT_MS", "50"))

# Each process keeps the vocabulary (every term) this many seconds; a term edited in another
# process shows here within this bound, in this one at once (programs/vocabulary_cache.py).
VOCABULARY_SECONDS = int(os.environ.get("VOCABULARY_SECONDS", "60"))

# Public corrections: at most this many from one client address per hour.
CORRECTIONS_PER_HOUR = int(os.environ.get("CORRECTIONS_PER_HOUR", "5"))
# A listing not verified for this many days is shown as stale.
STALE_AFTER_DAYS = 180

# geocode_programs: a geopy geocoder by service name ("nominatim") or dotted path to a class.
GEOCODER = os.environ.get("GEOCODER", "nominatim")
GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "")
# Nominatim's usage policy: at most one request a second.
GEOCODER_MIN_DELAY_SECONDS = float(os.environ.get("GEOCODER_MIN_DELAY_SECONDS", "1"))
# A geocoded point further than this from the listing's ZIP centre is not trusted.
GEOCODER_MAX_MILES_FROM_ZIP = 25
# A track's openings, next start and rolling admission count only this many days after the
# program confirmed them (CONTRACT: older ones count as not listed).
AVAILABILITY_FRESH_DAYS = 14

# Program staff (the staff app, /manage/): one-time sign-in links by django-sesame, valid
# SESAME_MAX_AGE seconds; a signed-in session lasts STAFF_SESSION_SECONDS.
SESAME_MAX_AGE = 7 * 24 * 3600
SESAME_ONE_TIME = True
# The history (django-simple-history) is a record: curators read it, they do not revert from it.
SIMPLE_HISTORY_REVERT_DISABLED = True
# Failed sign-ins are recorded by django-axes with the request's data: never the link's token.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "sesame"]
STAFF_SESSION_SECONDS = int(os.environ.get("STAFF_SESSION_SECONDS", str(8 * 3600)))
# Requests for a new sign-in link: at most this many per client address and per email an hour.
SIGN_IN_LINKS_PER_HOUR = int(os.environ.get("SIGN_IN_LINKS_PER_HOUR", "5"))
# The site's address in emailed links when there is no request to read it from (commands).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
# send_verification_reminders: listings not verified for this many days; one email a listing
# and person at most every VERIFICATION_REMINDER_REPEAT_DAYS.
VERIFICATION_REMINDER_DAYS = 150
VERIFICATION_REMINDER_REPEAT_DAYS = 7


# Mail (EMAIL_URL, e.g. smtp+tls://user:pass@smtp.example.org:587): printed to the console
# unless set; tests use Django's in-memory outbox.
def email_url_parse(url):
    """EMAIL_URL as dj-email-url reads it, plus the `smtp+tls://` and `smtp+ssl://` spellings."""
    for scheme, flag in (("smtp+tls://", "tls"), ("smtp+ssl://", "ssl")):
        if url.startswith(scheme):
            url = "smtp://" + url.removeprefix(scheme)
            url += ("&" if "?" in url else "?") + f"{flag}=1"
    return dj_email_url.parse(url)


_email = email_url_parse(os.environ.get("EMAIL_URL") or "console:")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
if EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
    # file:///var/mail/iopfinder writes each email to a file there (dj-email-url gives the
    # folder without its leading slash).
    EMAIL_FILE_PATH = urlsplit(os.environ["EMAIL_URL"]).path
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or 30
DEFAULT_FROM_EMAIL = (
    os.environ.get("DEFAULT_FROM_EMAIL")
    or _email.get("DEFAULT_FROM_EMAIL")
    or ("IOP Finder <no-reply@localhost>")
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL


# Errors are logged with the path, never the query string, and exceptions with their type and
# stack, never their message (iopfinder/logs.py): a search must not end up in a log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"private": {"()": "iopfinder.logs.PrivateFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "private"},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # runserver's request log prints full URLs (with the search); keep it quiet.
        "django.server": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Scanners send other hosts' names all day: each wrote a whole traceback. The 400 they
        # get is answer enough (Django's documentation suggests the same).
        "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
    },
}
