"""Sessions in the database (SESSION_ENGINE), keyed only by keys Django itself could make."""

import re

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

# Django makes a key of 32 lowercase letters and digits (get_random_string).
_KEY = re.compile(r"[a-z0-9]{8,40}")


class SessionStore(DatabaseSessionStore):
    """Django's database sessions, where a cookie naming a key Django could not have made is no
    session, as an unknown key is: a NUL in one reached PostgreSQL, which refuses it, and every
    page that reads the session (the shortlist, the admin) answered 500."""

    def _validate_session_key(self, key):
        return bool(key) and _KEY.fullmatch(key) is not None
