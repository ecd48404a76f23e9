"""The benchmarks' own packages (bench/requirements.txt), installed into this virtualenv when missing.

They are not the product's: `make setup` leaves them out, and each benchmark calls
`ensure_requirements()` before it needs them.
"""

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parent / "requirements.txt"


def ensure_requirements():
    """Install bench/requirements.txt unless every pinned version is already installed."""
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", REQUIREMENTS.read_text(), re.M)
    missing = []
    for name, version in pins:
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            missing.append(f"{name} {version} (found {installed or 'none'})")
    if missing:
        print(f"Installing {', '.join(missing)}", flush=True)
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)]
        subprocess.run(pip, check=True)
