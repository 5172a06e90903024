"""Synchronous scoring in the web process: the models, loaded lazily once per process.

Only the Akismet- and Perspective-compatible endpoints score on the request
path; the intake never imports this module (nor scikit-learn). The first call
loads the artifacts (a second or so) under a lock; later calls take
milliseconds. Failure mode: artifacts that cannot load answer 503 with
``Retry-After``, in each API's own error format.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from flask import current_app

if TYPE_CHECKING:
    from models.scoring import Scorer

_scorers: dict[str | None, Scorer] = {}
_lock = threading.Lock()


class ScoringUnavailable(RuntimeError):
    """The models could not be loaded in this process."""


def scorer() -> Scorer:
    """Return this process's scorer for the app's ``MODEL_DIR``, loading it on first use."""
    model_dir = current_app.config["MODEL_DIR"]
    found = _scorers.get(model_dir)
    if found is None:
        with _lock:
            found = _scorers.get(model_dir)
            if found is None:
                from models.scoring import ModelLoadError, load_scorer

                try:
                    found = _scorers[model_dir] = load_scorer(model_dir)
                except ModelLoadError as exc:
                    raise ScoringUnavailable(str(exc)) from exc
    return found


def score(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Score ``items`` (``text``, ``name``, ``email``, ``url``) with the loaded models."""
    return scorer().score(items)
