"""Production refuses to start without a real secret key."""


def test_debug_off_without_a_secret_key_refuses_to_start(manage_py):
    result = manage_py("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_off_with_a_secret_key_starts(manage_py):
    result = manage_py("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr


def test_debug_on_starts_without_a_secret_key(manage_py):
    result = manage_py("check", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
