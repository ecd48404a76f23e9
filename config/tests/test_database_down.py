"""A database that does not answer gives the "temporarily unavailable" page (503), never a traceback.

The database is really unreachable here: a production process pointed at a port nobody listens on.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from config.tests.helpers import production_env

BASE_DIR = Path(__file__).resolve().parents[2]
UNREACHABLE = "postgres://postgres@127.0.0.1:1/nothing"  # port 1: nothing listens

REQUESTS = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client

client = Client(raise_request_exception=False, headers={"X-Forwarded-Proto": "https"})

def answer(response):
    body = response.content.decode(errors="replace")
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        "retry_after": response.get("Retry-After"),
        "csp": response.get("Content-Security-Policy"),
        "unavailable": "Temporarily unavailable" in body,
        "traceback": "Traceback" in body or "OperationalError" in body or "127.0.0.1" in body,
        "body": body,
    }

answers = {"sign_in_page": answer(client.get("/accounts/login/"))}
answers["sign_in"] = answer(
    client.post("/accounts/login/", {"username": "fp@example.org", "password": "a passphrase"})
)
answers["home_anonymous"] = answer(client.get("/"))
client.cookies[settings.SESSION_COOKIE_NAME] = "a-returning-users-session-key"
answers["home_signed_in"] = answer(client.get("/"))
answers["healthz"] = answer(Client(raise_request_exception=False).get("/healthz"))  # a probe: no cookie
print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("database-down")
    env = production_env(tmp_path, DATABASE_URL=UNREACHABLE)
    result = subprocess.run(
        [sys.executable, "-c", REQUESTS], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return {**json.loads(result.stdout.strip().splitlines()[-1]), "log": result.stderr}


@pytest.mark.slow  # a subprocess
@pytest.mark.parametrize("request_name", ["sign_in_page", "sign_in", "home_signed_in"])
def test_it_answers_503_with_the_unavailable_page(answers, request_name):
    answer = answers[request_name]
    assert answer["status"] == 503, answer["body"][:500]
    assert answer["unavailable"]
    assert not answer["traceback"]
    assert answer["retry_after"] == "30"


@pytest.mark.slow  # a subprocess
def test_the_unavailable_page_carries_the_content_security_policy(answers):
    assert "default-src 'self'" in answers["sign_in_page"]["csp"]


@pytest.mark.slow  # a subprocess
def test_an_anonymous_visitor_is_still_sent_to_sign_in(answers):
    # Nothing to ask the database: the redirect needs no session.
    assert answers["home_anonymous"]["status"] == 302
    assert answers["home_anonymous"]["location"] == "/accounts/login/?next=/"


@pytest.mark.slow  # a subprocess
def test_healthz_answers_503(answers):
    assert answers["healthz"]["status"] == 503
    assert answers["healthz"]["body"] == "database unavailable\n"


@pytest.mark.slow  # a subprocess
def test_it_logs_that_the_database_is_unavailable(answers):
    assert "Database unavailable" in answers["log"]
