"""What every benchmark shares: the machine's description and its own section of BENCHMARKS.md."""

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "BENCHMARKS.md"


def machine() -> dict:
    try:
        uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        uname = "?"
    return {"uname": uname, "nproc": os.cpu_count(), "python": platform.python_version()}


def write_section(title: str, body: str) -> None:
    """Replace the section headed `title` (up to the next "## ") with `body`, or append it at the end."""
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    section = body.rstrip("\n") + "\n"
    start = text.find(title)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(title))
        text = text[:start] + section + ("\n" + text[end + 1 :] if end != -1 else "")
    REPORT.write_text(text)
    print(f"written to {REPORT.name}")
