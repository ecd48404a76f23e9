"""deploy/: the environment template, nginx's site file and the systemd units agree with the code.

(The whole stack is exercised by `make stack-test`, deploy/stack_test.py.)
"""

import re
import shutil
import subprocess
import sys
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[2]
DEPLOY = BASE_DIR / "deploy"


def load_script(path, name):
    """A script of deploy/ as a module, without leaving deploy/ on sys.path (the scripts put it there)."""
    saved = sys.path[:]
    try:
        loader = SourceFileLoader(name, str(path))
        module = module_from_spec(spec_from_loader(name, loader))
        loader.exec_module(module)
        return module
    finally:
        sys.path[:] = saved


read_env_file = load_script(DEPLOY / "environment.py", "deploy_environment").read_env_file
render = load_script(DEPLOY / "nginx" / "render.py", "deploy_nginx_render").render


def settings_read_from_the_environment():
    source = (BASE_DIR / "config" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\("([A-Z_]+)"', source)) | set(
        re.findall(r'"([A-Z_]+)" in env', source)
    )


def test_the_environment_template_lists_every_setting():
    template = (DEPLOY / "env.example").read_text()
    listed = set(re.findall(r"^#?([A-Z_]+)=", template, re.M))
    missing = settings_read_from_the_environment() - listed
    assert not missing, f"deploy/env.example does not list {sorted(missing)}"


def test_the_environment_template_says_what_each_setting_is():
    lines = (DEPLOY / "env.example").read_text().splitlines()
    setting = re.compile(r"^#?[A-Z_]+=")
    unexplained = []
    for number, line in enumerate(lines):
        if not setting.match(line):
            continue
        above = number - 1
        while above >= 0 and setting.match(lines[above]):  # a comment may cover a run of settings
            above -= 1
        if above < 0 or not lines[above].startswith("# ") or lines[above].startswith("# ---"):
            unexplained.append(line.split("=")[0].lstrip("#"))
    assert not unexplained, f"deploy/env.example: no comment above {unexplained}"


def test_the_environment_template_sets_what_production_requires():
    values = read_env_file(DEPLOY / "env.example")
    assert {name for name in settings.EMBEDDED_DEFAULTS if values.get(name)} == set(
        settings.EMBEDDED_DEFAULTS
    )


def test_the_environment_template_reads_as_systemd_reads_it():
    values = read_env_file(DEPLOY / "env.example")
    assert values["DEBUG"] == "false"
    assert values["PROXY_COUNT"] == "1"
    assert values["EVIDENCE_ACCEL_REDIRECT_PREFIX"] == "/_evidence/"
    assert values["DEFAULT_FROM_EMAIL"] == "Gender Champions <no-reply@tracker.example.org>"
    assert values["CELERY_BROKER_URL"] != values["CACHE_URL"]


def test_the_env_file_reader_takes_comments_quotes_and_spaces(tmp_path):
    env_file = tmp_path / "env"
    env_file.write_text("# a comment\n; another\n\nA=1\n B = two words \nC=\"quoted\"\nD='single'\nE=a=b\n")
    assert read_env_file(env_file) == {"A": "1", "B": "two words", "C": "quoted", "D": "single", "E": "a=b"}


def site(**overrides):
    options = {
        "server_name": "tracker.example.org",
        "certificate": "/etc/ssl/certs/tracker.pem",
        "certificate_key": "/etc/ssl/private/tracker.key",
        **overrides,
    }
    return render(**options)


def test_nginx_caps_request_bodies_at_the_apps_upload_limit():
    [size] = re.findall(
        r"client_max_body_size (\d+)m;", site(evidence_max_mb=settings.EVIDENCE_MAX_BYTES // 2**20)
    )
    assert int(size) * 2**20 == settings.UPLOAD_REQUEST_MAX_BYTES


def test_nginx_sends_the_headers_the_app_trusts():
    text = site()
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in text
    assert "proxy_set_header X-Request-ID $request_id;" in text
    assert "server 127.0.0.1:8001 max_fails=1 fail_timeout=10s;" in text
    assert "server 127.0.0.1:8002 max_fails=1 fail_timeout=10s;" in text
    assert "@" not in "".join(line.split("#")[0] for line in text.splitlines())


def test_the_evidence_location_is_internal_and_matches_the_setting():
    text = site(media_root="/srv/media")
    block = re.search(r"location /_evidence/ \{(.*?)\}", text, re.S)[1]
    assert "internal;" in block
    assert "alias /srv/media/;" in block
    # The only way to the media folder: nothing else names it.
    assert text.count("/srv/media") == 1
    assert read_env_file(DEPLOY / "env.example")["EVIDENCE_ACCEL_REDIRECT_PREFIX"] == "/_evidence/"


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.mark.slow  # subprocesses: openssl, nginx -t
@pytest.mark.skipif(not NGINX, reason="nginx is not installed (apt-get install nginx)")
def test_nginx_accepts_the_site_file(tmp_path):
    certificate, key = tmp_path / "site.pem", tmp_path / "site.key"
    subprocess.run(
        [
            *(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=localhost",
            ),
            *("-keyout", str(key), "-out", str(certificate)),
        ],
        check=True,
        capture_output=True,
    )
    (tmp_path / "site.conf").write_text(
        site(
            certificate=certificate,
            certificate_key=key,
            static_root=tmp_path / "static",
            media_root=tmp_path / "media",
            access_log=tmp_path / "access.log",
            http_listen="127.0.0.1:8080",
            https_listen="127.0.0.1:8443",
        )
    )
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n client_body_temp_path {tmp_path}/body;\n"
        f" proxy_temp_path {tmp_path}/proxy;\n include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_units_run_the_projects_programs():
    stack = load_script(DEPLOY / "stack", "deploy_stack")
    env = {"GUNICORN_HOST": "127.0.0.1", "CELERY_WORKER_CONCURRENCY": "4"}
    web = stack.unit_command("gender-champions-web@.service", "8001", env)
    assert web == [
        str(BASE_DIR / ".venv/bin/gunicorn"),
        *("--config", "deploy/gunicorn.conf.py", "--bind", "127.0.0.1:8001"),
    ]
    assert (BASE_DIR / "deploy/gunicorn.conf.py").exists()
    worker = stack.unit_command("gender-champions-worker@.service", "2", env)
    assert worker[:4] == [str(BASE_DIR / ".venv/bin/celery"), "--quiet", "--app", "config"]
    assert "worker2@%h" in worker
    assert "4" in worker
    beat = stack.unit_command("gender-champions-beat.service", "", env)
    assert beat[4] == "beat"


def test_every_unit_reads_the_environment_file_and_restarts():
    for unit in (
        "gender-champions-web@.service",
        "gender-champions-worker@.service",
        "gender-champions-beat.service",
    ):
        text = (DEPLOY / "systemd" / unit).read_text()
        assert "EnvironmentFile=/etc/gender-champions/env" in text, unit
        assert "Restart=always" in text, unit
        assert "User=gender-champions" in text, unit
    assert "EXACTLY ONE beat" in (DEPLOY / "systemd" / "gender-champions-beat.service").read_text()


def test_gunicorn_instances_do_not_share_a_control_socket():
    config = {}
    exec((DEPLOY / "gunicorn.conf.py").read_text(), config)
    assert config["control_socket_disable"] is True
    assert config["logconfig_dict"]["formatters"]["json"]["()"] == "config.logging.JsonFormatter"
