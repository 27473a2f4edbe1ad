"""Production settings, response headers, and who may reach the admin."""

import json
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from programs.models import Program

from .factories import ProgramFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "Qx7r-9Lm2vT0pW8zK4nB6yH1cJ5sD3fG8hA2qE7uR0iO9pZ4xC6v",
    "DJANGO_ALLOWED_HOSTS": "iopfinder.example.org",
    "DJANGO_SECURE_PROXY_SSL": "1",
}


def test_check_deploy_reports_no_warnings_with_production_settings(manage_py):
    result = manage_py("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def production_settings(manage_py):
    """The security settings production gets from its environment."""
    names = [
        "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_REFERRER_POLICY",
        "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "SECURE_PROXY_SSL_HEADER",
    ]  # fmt: skip
    code = f"from django.conf import settings; import json; print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    result = manage_py("shell", "-c", code, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_responses_carry_the_security_headers(settings, manage_py):
    production = production_settings(manage_py)
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    for name, value in production.items():
        setattr(settings, name, tuple(value) if isinstance(value, list) else value)
    ProgramFactory(slug="harbor")
    client = Client(headers={"x-forwarded-proto": "https"})
    for path in [
        "/",
        "/programs/?near=22902",
        "/programs/harbor/",
        "/api/programs/",
        "/admin/login/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        csp = response["Content-Security-Policy"]
        script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
        assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
        assert "frame-ancestors 'none'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    # Cookies only travel over HTTPS and are out of reach of scripts.
    response = client.get("/programs/harbor/")
    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] and cookie["samesite"] == "Lax"
    # Plain HTTP is redirected to HTTPS.
    assert Client().get("/").status_code == 301


@pytest.mark.django_db
def test_pages_set_no_third_party_resources_or_tracking_cookies(client):
    ProgramFactory(slug="harbor")
    for path in ["/", "/programs/?near=22902", "/programs/harbor/", "/es/programs/harbor/"]:
        response = client.get(path)
        html = response.content.decode()
        assert "http://" not in html.replace("http://testserver", "").replace(
            "http://www.w3.org", ""
        )
        # The page's translations are named by full address (hreflang): the site's own.
        head = html.split("</header>")[0].replace('href="http://testserver/', 'href="/')
        for source in ['src="http', "src='http", 'href="http://', "//cdn"]:
            assert source not in head, path
        assert not [c for c in response.cookies if c != "csrftoken"], path


def admin_urls():
    """Every admin page of every registered model, plus the index pages."""
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:app_list", args=[info[0]]))
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))
        for view in ["change", "delete", "history"]:
            urls.append(reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[1]))
    return sorted(set(urls))


@pytest.mark.django_db
@pytest.mark.parametrize("url", admin_urls())
def test_every_admin_page_needs_a_login(client, url):
    response = client.get(url)
    assert response.status_code == 302, url
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_visitors_who_are_not_staff_cannot_use_the_admin(client):
    client.force_login(UserFactory(is_staff=False))
    response = client.get(reverse("admin:programs_program_changelist"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_repeated_failed_logins_from_one_client_are_throttled(client, settings):
    user = UserFactory(is_staff=True, is_superuser=True, username="curator")
    login = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login, {"username": "curator", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    response = client.post(login, {"username": "curator", "password": "wrong"})
    assert response.status_code == 429  # the limit is reached: locked out
    # Now even the right password is refused from this address.
    response = client.post(login, {"username": "curator", "password": "a-long-test-password"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address can still log in.
    other = Client(REMOTE_ADDR="198.51.100.20")
    response = other.post(login, {"username": user.username, "password": "a-long-test-password"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_deleting_a_provider_never_deletes_its_programs():
    program = ProgramFactory()
    with pytest.raises(ProtectedError):
        program.provider.delete()
    assert Program.objects.filter(pk=program.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cookie",
    [
        'sessionid="abcdefghijk\\000lmnop"',  # the cookie parser turns \000 into a NUL
        "sessionid=../../etc/passwd",
        "sessionid=' OR 1=1 --",
        "sessionid=" + "a" * 5000,
        "sessionid=ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
    ],
)
def test_a_forged_session_cookie_is_no_session(cookie):
    client = Client(headers={"cookie": cookie})
    ProgramFactory(slug="harbor")
    for path in ["/shortlist/", "/es/shortlist/", "/shortlist/compare/", "/shortlist.csv",
                 "/manage/", "/admin/login/"]:  # fmt: skip
        assert client.get(path).status_code in {200, 302}, path
    response = client.post("/shortlist/add/harbor/", {"next": "/programs/"})
    assert response.status_code == 302
    # The visitor's shortlist starts afresh, under a key Django made.
    assert re.fullmatch(r"[a-z0-9]{32}", response.cookies["sessionid"].value)


@pytest.mark.django_db
def test_a_form_sent_without_its_token_says_what_to_do(client):
    strict = Client(enforce_csrf_checks=True)
    ProgramFactory(slug="harbor")
    response = strict.post("/es/shortlist/add/harbor/")
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="es">' in page and "CSRF" not in page
    response = strict.post("/shortlist/add/harbor/")
    assert "This form has expired" in response.content.decode()
    # The API answers in JSON, as its other errors do.
    response = strict.post("/api/programs/", {"q": "x"})
    assert response.status_code == 403
    assert response.json()["errors"]["__all__"]


def test_a_forged_host_is_refused_without_a_traceback_in_the_log(manage_py):
    """A scanner's request for another host's name is a 400; the log is not filled with its
    traceback (run as a deployment runs: the real settings, DEBUG off)."""
    result = manage_py(
        "shell",
        "-c",
        "from django.test import Client; "
        "print(Client(HTTP_HOST='evil.example').get('/healthz').status_code)",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="iop.example.org",
    )
    assert result.stdout.strip().splitlines()[-1] == "400", result.stderr
    assert "Traceback" not in result.stderr and "DisallowedHost" not in result.stderr
