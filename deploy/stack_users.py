"""The stack test's users (deploy/stack_test.py): browsers that sign in, read pages, log progress
with evidence, download it, and read the office's dashboard and exports, through nginx over HTTPS.

Plain threads and http.client: each user a thread with a keep-alive connection of its own, the
stack's self-signed certificate verified, every request timed on the monotonic clock the stack
test schedules its faults on.
"""

import datetime
import http.client
import random
import re
import ssl
import threading
import time
import uuid
from http.cookies import SimpleCookie
from urllib.parse import urlencode

PASSWORD = "demo-password-2026"  # seed_demo's
DOMAIN = "demo.genderchampions.org"
OFFICE = f"office@{DOMAIN}"
LACROIX = f"jean-pierre.lacroix@{DOMAIN}"
FOCAL_POINT = f"focal.point@{DOMAIN}"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
EVIDENCE_LINK = re.compile(r'href="(/events/\d+/evidence/)"')
GATEWAY_ERRORS = {502, 503, 504}
# What a request records when its answer had begun, streamed (no Content-Length: a CSV export),
# and the connection closed before its end: its app server died while writing it.
STREAM_CUT_OFF = "streamed answer cut off"


class Browser:
    """One simulated user's browser: a keep-alive HTTPS connection to nginx (the stack's certificate
    verified), its cookies, and a record of every request: (start, end, name, status or error)."""

    def __init__(self, stack, records):
        self.stack = stack
        self.context = ssl.create_default_context(cafile=str(stack.dir / "tls" / "localhost.pem"))
        self.cookies = {}
        self.connection = None
        self.records = records

    def connect(self):
        return http.client.HTTPSConnection(
            "127.0.0.1", self.stack.https_port, context=self.context, timeout=60
        )

    def headers(self, extra=None):
        headers = {"Host": f"localhost:{self.stack.https_port}", "User-Agent": "gc-stack-test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {**headers, **(extra or {})}

    def keep_cookies(self, response):
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def request(self, method, path, name, body=None, headers=None):
        """(status, headers, body), or (None, None, b"") when the connection failed."""
        started = time.monotonic()
        response = None
        try:
            if self.connection is None:
                self.connection = self.connect()
            self.connection.request(method, path, body=body, headers=self.headers(headers))
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException) as error:
            streamed = response is not None and response.getheader("Content-Length") is None
            self.records.append(
                (started, time.monotonic(), name, STREAM_CUT_OFF if streamed else type(error).__name__)
            )
            self.connection.close()
            self.connection = None
            return None, None, b""
        self.keep_cookies(response)
        self.records.append((started, time.monotonic(), name, response.status))
        if response.will_close:
            self.connection.close()
            self.connection = None
        return response.status, response.headers, content

    def get(self, path, name):
        return self.request("GET", path, name)

    def form_headers(self, content_type="application/x-www-form-urlencoded"):
        return {"Content-Type": content_type, "Origin": self.stack.origin, "Referer": self.stack.origin + "/"}

    def post_until_answered(self, path, name, body, content_type="application/x-www-form-urlencoded"):
        """POST, and again with the same body after a gateway error or a dropped connection, as a
        person would press the button again (the form's submission key makes it one event)."""
        deadline = time.monotonic() + 40
        attempt = 0
        while True:
            status, headers, content = self.request("POST", path, name, body, self.form_headers(content_type))
            if status not in GATEWAY_ERRORS and status is not None:
                return status, headers, content, attempt
            attempt += 1
            if time.monotonic() > deadline:
                return status, headers, content, attempt
            time.sleep(min(0.5 * attempt, 2))

    def sign_in(self, email_address):
        status, _, page = self.get("/accounts/login/", "sign-in form")
        token = CSRF_TOKEN.search(page.decode(errors="replace")) if status == 200 else None
        if not token:
            return False
        body = urlencode({"csrfmiddlewaretoken": token[1], "username": email_address, "password": PASSWORD})
        status, headers, _, _ = self.post_until_answered("/accounts/login/", "sign-in", body)
        return status == 302


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: application/pdf\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def pdf(size, rng=random):
    head = b"%PDF-1.4\n"
    return head + rng.randbytes(size - len(head))


class Ledger:
    """What the clients were told: events saved (by title), and how many posts needed a retry."""

    def __init__(self):
        self.lock = threading.Lock()
        self.confirmed = []
        self.retried = 0
        self.failed = []

    def add(self, title, retries):
        with self.lock:
            self.confirmed.append(title)
            self.retried += bool(retries)


def log_progress(browser, commitment, rng, ledger, evidence_size=0):
    """Log a meeting on the commitment, with an evidence file of `evidence_size` bytes if not 0.
    Returns the event's title if the app said it was saved."""
    path = f"/commitments/{commitment}/log/"
    status, _, page = browser.get(path, "log form")
    text = page.decode(errors="replace")
    token, key = CSRF_TOKEN.search(text), SUBMISSION_KEY.search(text)
    if status != 200 or not token or not key:
        return None
    title = f"stack-{uuid.uuid4().hex}"
    fields = {
        "csrfmiddlewaretoken": token[1],
        "submission_key": key[1],
        "kind": "meeting",
        "occurred_on": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "title": title,
        "scope": "field",
        "women_count": rng.randint(0, 30),
        "men_count": rng.randint(0, 30),
        # A meeting logged on whichever commitment: where meetings count for nothing, the form asks
        # first (events.forms.ProgressEventForm), and a person who means it ticks "log it anyway".
        "log_anyway": "on",
    }
    if evidence_size:
        body, content_type = multipart(fields, {"evidence_file": ("agenda.pdf", pdf(evidence_size, rng))})
    else:
        body, content_type = urlencode(fields), "application/x-www-form-urlencoded"
    status, headers, _, retries = browser.post_until_answered(path, "log progress", body, content_type)
    if status == 302 and headers.get("Location") == f"/commitments/{commitment}/":
        ledger.add(title, retries)
        browser.get(f"/commitments/{commitment}/", "commitment page")  # where the browser goes next
        return title
    ledger.failed.append((title, status))
    return None


# --- The users ----------------------------------------------------------------------------------


def champion(browser, email_address, commitments, stop_at, rng, ledger):
    """A champion or focal point: reads their pages, logs progress, downloads evidence."""
    if not browser.sign_in(email_address):
        return
    while time.monotonic() < stop_at:
        task = rng.choices(["home", "commitment", "log", "evidence"], weights=[3, 3, 2, 1])[0]
        commitment = rng.choice(commitments)
        if task == "home":
            browser.get("/", "home")
        elif task == "commitment":
            browser.get(f"/commitments/{commitment}/", "commitment page")
        elif task == "log":
            log_progress(browser, commitment, rng, ledger, evidence_size=rng.choice([0, 0, 0, 200_000]))
        else:
            status, _, page = browser.get(f"/commitments/{commitment}/", "commitment page")
            links = EVIDENCE_LINK.findall(page.decode(errors="replace"))
            if links:
                browser.get(rng.choice(links), "evidence download")
        time.sleep(rng.uniform(0.5, 1.5))


def office(browser, stop_at, rng):
    """A member of the chief-of-staff office: the dashboard, and now and then an export."""
    if not browser.sign_in(OFFICE):
        return
    while time.monotonic() < stop_at:
        task = rng.choices(["dashboard", "csv", "xlsx"], weights=[6, 1, 0.5])[0]
        if task == "dashboard":
            browser.get("/dashboard/", "dashboard")
        elif task == "csv":
            browser.get("/dashboard/export.csv", "export.csv")
        else:
            browser.get("/dashboard/export.xlsx", "export.xlsx")
        time.sleep(rng.uniform(0.5, 1.5))
