"""The load test's users: champions who read their pages and log progress, and office members.

Configured by bench/loadtest.py through the environment:

- LOAD_PASSWORD: the demo password;
- LOAD_CHAMPIONS: how many scaled champions (champion0001@...) there are to sign in as;
- LOAD_SAVED: a file where every progress event the app said it saved is written (one title a line);
  a few forms are posted twice on purpose, as a double click would;
- LOAD_DASHBOARD: a file where the dashboard views are counted by how the server answered them
  (its X-Dashboard-Cache header: "hit" from the cache, "miss" computed), as JSON.
"""

import json
import os
import random
import re
import uuid
from collections import Counter
from itertools import count
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from locust import FastHttpUser, between, events, task
from locust.exception import StopUser
from locustfile import SecureCookiesOverHttp

PASSWORD = os.environ.get("LOAD_PASSWORD", "")
CHAMPIONS = int(os.environ.get("LOAD_CHAMPIONS", "1"))
SAVED = Path(os.environ.get("LOAD_SAVED", "saved.txt"))
DASHBOARD_VIEWS = Path(os.environ.get("LOAD_DASHBOARD", "dashboard.json"))
LOG_DAY = os.environ.get("LOAD_DAY", "")  # the date events are logged on: today, within the cycle
DOMAIN = "demo.genderchampions.org"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
COMMITMENT = re.compile(r'href="/commitments/(\d+)/"')
next_champion = count(1)
saved_titles = []
dashboard_views = Counter()  # by X-Dashboard-Cache: hit, miss


@events.quitting.add_listener
def write_saved(**_):
    SAVED.write_text("".join(f"{title}\n" for title in saved_titles))
    DASHBOARD_VIEWS.write_text(json.dumps(dashboard_views))


class SignedInUser(FastHttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)
    default_headers = {"X-Forwarded-Proto": "https"}
    email = ""

    def on_start(self):
        self.client.cookiejar.set_policy(SecureCookiesOverHttp())
        token = self.form_token("/accounts/login/", "sign-in form")
        with self.client.post(
            "/accounts/login/",
            name="sign-in",
            data=urlencode({"csrfmiddlewaretoken": token, "username": self.email, "password": PASSWORD}),
            headers=self.form_headers(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in as {self.email} answered {response.status_code}")
                raise StopUser()

    def form_headers(self):
        # Why Origin: over HTTPS, Django's CSRF check wants the request to come from the same origin.
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": "https://" + urlsplit(self.host).netloc,
        }

    def form_token(self, path, name):
        with self.client.get(path, name=name, catch_response=True) as response:
            token = CSRF_TOKEN.search(response.text or "")
            if response.status_code != 200 or not token:
                response.failure(f"{path} answered {response.status_code} without a form")
                raise StopUser()
            self.last_page = response.text
            return token[1]

    def get(self, path, name):
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path} answered {response.status_code}")
            return response.text or ""


class ChampionUser(SignedInUser):
    """A champion reading their commitments and logging progress on them."""

    weight = 9

    def on_start(self):
        self.email = f"champion{(next(next_champion) - 1) % CHAMPIONS + 1:04d}@{DOMAIN}"
        super().on_start()
        self.commitments = COMMITMENT.findall(self.get("/", "home")) or []
        if not self.commitments:
            raise StopUser()

    @task(3)
    def home(self):
        self.get("/", "home")

    @task(3)
    def commitment(self):
        self.get(f"/commitments/{random.choice(self.commitments)}/", "commitment page")

    @task(2)
    def log_progress(self):
        commitment = random.choice(self.commitments)
        path = f"/commitments/{commitment}/log/"
        token = self.form_token(path, "log form")
        key = SUBMISSION_KEY.search(self.last_page)[1]
        title = f"load-{uuid.uuid4().hex}"
        data = urlencode(
            {
                "csrfmiddlewaretoken": token,
                "submission_key": key,
                "kind": "meeting",
                "occurred_on": LOG_DAY,
                "title": title,
                "scope": "field",
                "women_count": random.randint(0, 30),
                "men_count": random.randint(0, 30),
                "log_anyway": "on",  # meetings may count for nothing toward the commitment chosen
            }
        )
        posts = 2 if random.random() < 0.1 else 1  # now and then, a double click
        for _ in range(posts):
            with self.client.post(
                path,
                name="log progress",
                data=data,
                headers=self.form_headers(),
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if (
                    response.status_code == 302
                    and response.headers.get("Location") == f"/commitments/{commitment}/"
                ):
                    saved_titles.append(title)  # the app said: saved (or already saved)
                else:
                    response.failure(f"log form answered {response.status_code}")


class OfficeUser(SignedInUser):
    """A member of the chief-of-staff office on the dashboard."""

    weight = 1
    email = f"office@{DOMAIN}"

    @task
    def dashboard(self):
        with self.client.get(
            "/dashboard/", name="dashboard", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"/dashboard/ answered {response.status_code}")
            else:
                dashboard_views[response.headers.get("X-Dashboard-Cache", "unsaid")] += 1
