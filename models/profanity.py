"""Run the ``alt-profanity-check`` baseline in its own virtual environment.

``alt-profanity-check`` pins exact scikit-learn and joblib versions and loads a pickled
model, so it never enters the service's environment: ``ensure()`` creates
``.venv-profanity`` next to the repository (``MODERATO_PROFANITY_VENV`` overrides) and
``scores(texts)`` runs it there in a subprocess, exchanging JSON over stdin/stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from models.data import REPO_ROOT

_SCRIPT = (
    "import json, sys\n"
    "from profanity_check import predict_prob\n"
    "texts = json.load(sys.stdin)\n"
    "json.dump([float(p) for p in predict_prob(texts)], sys.stdout)\n"
)


def venv_dir() -> Path:
    """Return the baseline's virtual environment directory."""
    return Path(os.environ.get("MODERATO_PROFANITY_VENV", REPO_ROOT / ".venv-profanity"))


def _python() -> Path:
    return venv_dir() / "bin" / "python"


def available() -> bool:
    """Return whether the baseline's environment exists with the package installed."""
    if not _python().exists():
        return False
    probe = [str(_python()), "-c", "import profanity_check"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


def ensure() -> bool:
    """Create the environment and install ``alt-profanity-check`` if missing."""
    if available():
        return True
    subprocess.run([sys.executable, "-m", "venv", str(venv_dir())], check=True)
    pip = [str(_python()), "-m", "pip", "install", "--quiet", "alt-profanity-check"]
    return subprocess.run(pip, check=False).returncode == 0 and available()


def scores(texts: list[str]) -> list[float]:
    """Return alt-profanity-check's probability for each text."""
    proc = subprocess.run(
        [str(_python()), "-c", _SCRIPT],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
    )
    return [float(p) for p in json.loads(proc.stdout)]
