#!/usr/bin/env python3
"""Write nginx's site file for the tracker from deploy/nginx/gender-champions.conf.

    deploy/nginx/render.py --server-name tracker.example.org \\
        --certificate /etc/ssl/certs/tracker.pem --certificate-key /etc/ssl/private/tracker.key \\
        [--app 127.0.0.1:8001 --app 127.0.0.1:8002] [--var-dir /var/lib/gender-champions] \\
        [--evidence-max-mb 10] > /etc/nginx/sites-available/gender-champions

Every option has the production default of the README's deployment guide; deploy/stack uses the
same function (render) for the local stack. Python's standard library only.
"""

import argparse
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "gender-champions.conf"


def render(
    *,
    server_name,
    certificate,
    certificate_key,
    apps=("127.0.0.1:8001", "127.0.0.1:8002"),
    static_root="/var/lib/gender-champions/static",
    media_root="/var/lib/gender-champions/media",
    evidence_max_mb=10,
    http_listen="80",
    https_listen="443",
    access_log="/var/log/nginx/gender-champions.access.log",
):
    """The site file, as text."""
    https_port = https_listen.rsplit(":", 1)[-1]
    values = {
        "SERVER_NAME": server_name,
        "CERTIFICATE": certificate,
        "CERTIFICATE_KEY": certificate_key,
        "UPSTREAM_SERVERS": "\n".join(f"    server {app} max_fails=1 fail_timeout=10s;" for app in apps),
        "STATIC_ROOT": str(static_root).rstrip("/"),
        "MEDIA_ROOT": str(media_root).rstrip("/"),
        # As settings.UPLOAD_REQUEST_MAX_BYTES: the evidence limit and 1 MB for the form around it.
        "CLIENT_MAX_BODY_SIZE": f"{int(evidence_max_mb) + 1}m",
        "HTTP_LISTEN": http_listen,
        "HTTPS_LISTEN": https_listen,
        "HTTPS_REDIRECT_PORT": "" if https_port == "443" else f":{https_port}",
        "ACCESS_LOG": access_log,
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", str(value))
    if "@" in "".join(line.split("#")[0] for line in text.splitlines()):
        raise ValueError("a value in the template was left unfilled")
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-name", required=True, help="the site's host name(s), space-separated")
    parser.add_argument("--certificate", required=True, help="the certificate chain (PEM)")
    parser.add_argument("--certificate-key", required=True, help="its private key (PEM)")
    parser.add_argument(
        "--app",
        action="append",
        dest="apps",
        help="an app server, host:port (repeat; default 127.0.0.1:8001 and 127.0.0.1:8002)",
    )
    parser.add_argument("--var-dir", default="/var/lib/gender-champions", help="VAR_DIR (static/ inside)")
    parser.add_argument("--media-root", help="MEDIA_ROOT (default VAR_DIR/media)")
    parser.add_argument("--evidence-max-mb", type=int, default=10, help="EVIDENCE_MAX_MB (default 10)")
    parser.add_argument("--http-listen", default="80")
    parser.add_argument("--https-listen", default="443")
    parser.add_argument("--access-log", default="/var/log/nginx/gender-champions.access.log")
    args = parser.parse_args()
    sys.stdout.write(
        render(
            server_name=args.server_name,
            certificate=args.certificate,
            certificate_key=args.certificate_key,
            apps=args.apps or ("127.0.0.1:8001", "127.0.0.1:8002"),
            static_root=f"{args.var_dir}/static",
            media_root=args.media_root or f"{args.var_dir}/media",
            evidence_max_mb=args.evidence_max_mb,
            http_listen=args.http_listen,
            https_listen=args.https_listen,
            access_log=args.access_log,
        )
    )


if __name__ == "__main__":
    main()
