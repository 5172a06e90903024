"""Run ``alt-profanity-check`` in its own virtual environment (baseline and port source).

``alt-profanity-check`` pins exact scikit-learn and joblib versions and loads a pickled
model, so it never enters the service's environment: ``ensure()`` creates
``.venv-profanity`` next to the repository (``MODERATO_PROFANITY_VENV`` overrides) with
a pinned version, ``scores(texts)`` runs the package there in a subprocess (the
``evaluate`` baseline), and ``export_model()`` reads its fitted numbers out as JSON for
the port in ``models/apc.py`` (``moderato train``).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from models.data import REPO_ROOT

VERSION = "1.9.1"
# The vectoriser settings the port in models/apc.py reproduces.
_EXPECTED: dict[str, Any] = {
    "analyzer": "word",
    "lowercase": True,
    "ngram_range": (1, 1),
    "norm": "l2",
    "stop_words": "english",
    "sublinear_tf": False,
    "token_pattern": r"(?u)\b\w\w+\b",
    "use_idf": True,
}
_EXPORT = (
    "import json, sys\n"
    "from importlib import metadata, resources\n"
    "import joblib\n"
    "data = resources.files('profanity_check') / 'data'\n"
    "v = joblib.load(data / 'vectorizer.joblib')\n"
    "m = joblib.load(data / 'model.joblib')\n"
    "words = sorted(v.vocabulary_, key=v.vocabulary_.get)\n"
    "cal = m.calibrated_classifiers_\n"
    "json.dump({'version': metadata.version('alt-profanity-check'),\n"
    "  'words': '\\n'.join(words), 'idf': v.idf_.tolist(),\n"
    "  'coef': [c.estimator.coef_.ravel().tolist() for c in cal],\n"
    "  'intercept': [float(c.estimator.intercept_[0]) for c in cal],\n"
    "  'a': [float(c.calibrators[0].a_) for c in cal],\n"
    "  'b': [float(c.calibrators[0].b_) for c in cal],\n"
    "  'params': {k: repr(x) for k, x in sorted(v.get_params().items())}}, sys.stdout)\n"
)
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
    package = f"alt-profanity-check=={VERSION}"
    pip = [str(_python()), "-m", "pip", "install", "--quiet", package]
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


def export_model() -> dict[str, Any]:
    """Return alt-profanity-check's vocabulary, idf and calibrated members as plain data."""
    if not ensure():
        raise RuntimeError("alt-profanity-check could not be installed in " + str(venv_dir()))
    proc = subprocess.run(
        [str(_python()), "-c", _EXPORT], capture_output=True, text=True, check=True
    )
    model: dict[str, Any] = json.loads(proc.stdout)
    got = {key: ast.literal_eval(model["params"][key]) for key in _EXPECTED}
    if got != _EXPECTED:
        raise RuntimeError(f"alt-profanity-check's vectoriser changed: {got}")
    return model
