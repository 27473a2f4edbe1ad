import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and login throttling live in the cache: start every test afresh."""
    cache.clear()
    yield
    cache.clear()
