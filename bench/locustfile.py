"""One page under load: every simulated user signs in, then requests the same page again and again.

Configured by bench/run.py through the environment:

- BENCH_PATH: the page, e.g. /dashboard/;
- BENCH_NAME: its name in locust's statistics;
- BENCH_EMAIL, BENCH_PASSWORD: who signs in through /accounts/login/;
- BENCH_WAIT: think time between two requests of a user, "MIN,MAX" seconds (uniform);
- BENCH_RAW: a file where each successful response time of the page (ms, unrounded) is written at the
  end, since locust's CSV rounds percentiles above 100 ms to the nearest 10 ms.

Each user's first request of the page is named "warm-up" and left out of the page's figures.
"""

import json
import os
import re
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

PATH = os.environ.get("BENCH_PATH", "/healthz")
NAME = os.environ.get("BENCH_NAME", PATH)
EMAIL = os.environ.get("BENCH_EMAIL", "")
PASSWORD = os.environ.get("BENCH_PASSWORD", "")
WAIT = [float(bound) for bound in os.environ.get("BENCH_WAIT", "0,0").split(",")]
RAW = os.environ.get("BENCH_RAW")
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

response_times = []


class SecureCookiesOverHttp(DefaultCookiePolicy):
    """Send the session and CSRF cookies back although they are marked Secure.

    With DEBUG off the app marks them Secure, as it sits behind HTTPS; the benchmark talks plain HTTP
    to gunicorn on 127.0.0.1 (saying X-Forwarded-Proto: https, as the proxy would), and a client
    otherwise keeps Secure cookies to itself over plain HTTP.
    """

    def return_ok_secure(self, cookie, request):
        return True


@events.request.add_listener
def record(name, response_time, exception=None, **_):
    if name == NAME and exception is None:
        response_times.append(response_time)


@events.quitting.add_listener
def write_raw(**_):
    if RAW:
        Path(RAW).write_text(json.dumps(response_times))


class PageUser(FastHttpUser):
    """A signed-in user reading one page (FastHttpUser: a lighter client, as locust shares 2 cores)."""

    wait_time = between(*WAIT)
    # As from the TLS-terminating proxy the app expects in front of it (SECURE_PROXY_SSL_HEADER):
    # with DEBUG off, a plain-HTTP request is otherwise redirected to HTTPS.
    default_headers = {"X-Forwarded-Proto": "https"}

    def on_start(self):
        self.client.cookiejar.set_policy(SecureCookiesOverHttp())
        with self.client.get("/accounts/login/", name="sign-in form", catch_response=True) as response:
            token = CSRF_TOKEN.search(response.text or "")
            if not token:
                response.failure("no CSRF token in the sign-in form")
        if not token:
            raise StopUser()
        with self.client.post(
            "/accounts/login/",
            name="sign-in",
            data=urlencode({"csrfmiddlewaretoken": token[1], "username": EMAIL, "password": PASSWORD}),
            # Why Origin: over HTTPS, Django's CSRF check wants the request to come from the same origin.
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": "https://" + urlsplit(self.host).netloc,
            },
            allow_redirects=False,
            catch_response=True,
        ) as response:
            signed_in = response.status_code == 302
            if not signed_in:
                response.failure(f"sign-in as {EMAIL} answered {response.status_code}, not a redirect")
        if not signed_in:
            raise StopUser()
        self.fetch("warm-up")

    @task
    def page(self):
        self.fetch(NAME)

    def fetch(self, name):
        with self.client.get(PATH, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{PATH} answered {response.status_code}")
