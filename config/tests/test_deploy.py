"""Production settings: `check --deploy` is clean, every answer carries the security headers, HTTPS is enforced."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from config.tests import helpers

BASE_DIR = Path(__file__).resolve().parents[2]
HOST = "gc.example.org"


def production_env(tmp_path):
    return helpers.production_env(tmp_path, ALLOWED_HOSTS=HOST)


def run(args, env, timeout=120):
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.slow  # a subprocess
def test_check_deploy_reports_nothing_with_production_settings(tmp_path):
    env = production_env(tmp_path)
    assert len(env["SECRET_KEY"]) >= 50
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


# Run in a production instance: migrate and collect static files (the manifest storage needs them),
# then ask for the sign-in page over plain HTTP, through the TLS proxy, and the health check.
PRODUCTION_REQUESTS = """
import json
import django
django.setup()
from django.core.management import call_command
from django.test import Client

call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
client = Client(raise_request_exception=False, HTTP_HOST="gc.example.org")

def answer(response):
    return {
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": {name: dict(cookie) for name, cookie in response.cookies.items()},
        "body": response.content.decode(errors="replace")[:3000],
    }

print(json.dumps({
    "plain": answer(client.get("/accounts/login/")),
    "proxied": answer(client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})),
    "healthz": answer(client.get("/healthz")),
}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    result = run(["-c", PRODUCTION_REQUESTS], production_env(tmp_path), timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # a gunicorn subprocess
def test_production_redirects_plain_http_to_https(production):
    assert production["plain"]["status"] == 301
    assert production["plain"]["headers"]["Location"] == f"https://{HOST}/accounts/login/"


@pytest.mark.slow  # a gunicorn subprocess
def test_production_serves_requests_the_proxy_marks_as_https(production):
    proxied = production["proxied"]
    assert proxied["status"] == 200
    assert "<title>Sign in" in proxied["body"]
    assert proxied["headers"]["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert_security_headers(proxied["headers"])
    assert proxied["cookies"]["csrftoken"]["secure"] is True


@pytest.mark.slow  # a gunicorn subprocess
def test_production_answers_the_health_check_over_plain_http(production):
    # The load balancer's probe speaks plain HTTP to the app.
    assert production["healthz"]["status"] == 200


def csp_directives(header):
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_security_headers(headers):
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    policy = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    directives = csp_directives(policy)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = False


def test_every_page_carries_the_security_headers(production_like, cast):
    client = Client()
    assert_security_headers(client.get("/accounts/login/").headers)
    client.force_login(cast.office_member)
    for url in ["/dashboard/", "/does-not-exist/", f"/commitments/{cast.other_commitment.pk}/"]:
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        assert_security_headers(response.headers)
    client.force_login(cast.champion_user)
    forbidden = client.get("/dashboard/")
    assert forbidden.status_code == 403
    assert_security_headers(forbidden.headers)


def test_csv_downloads_carry_the_security_headers_too(production_like, cast):
    client = Client()
    client.force_login(cast.office_member)
    response = client.get("/dashboard/export.csv")
    assert response.status_code == 200
    assert_security_headers(response.headers)


@pytest.fixture
def behind_a_tls_proxy(settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]


def test_it_redirects_plain_http_but_not_what_the_proxy_says_is_https(behind_a_tls_proxy, db):
    client = Client()  # after the settings change: SecurityMiddleware reads them when it is built
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/accounts/login/"
    proxied = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
    proxied_http = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "http"})
    assert proxied_http.status_code == 301
    assert client.get("/healthz").status_code == 200
