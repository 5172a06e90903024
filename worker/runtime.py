"""What a worker process loads once: the app's settings and connections, and the models."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask

from service import create_app
from service.enqueue import RQJobQueue
from service.store import Database

if TYPE_CHECKING:
    from models.scoring import Scorer

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """A worker process's loaded state."""

    app: Flask
    db: Database
    queue: RQJobQueue
    scorer: Scorer


_runtime: Runtime | None = None
_lock = threading.Lock()


def init(app: Flask | None = None) -> Runtime:
    """Load the app and the models once per process (idempotent)."""
    global _runtime
    with _lock:
        if _runtime is None:
            from models.scoring import load_scorer

            app = app or create_app({"PROCESS_ROLE": "worker"})
            scorer = load_scorer(app.config["MODEL_DIR"])
            log.info("models loaded: %s", scorer.model_version)
            _runtime = Runtime(
                app=app,
                db=app.extensions["moderato.db"],
                queue=app.extensions["moderato.queue"],
                scorer=scorer,
            )
        return _runtime


def install(rt: Runtime | None) -> None:
    """Use ``rt`` as this process's runtime (an in-process worker, or tests); None forgets it."""
    global _runtime
    with _lock:
        _runtime = rt


def get() -> Runtime:
    """Return this process's runtime, loading it on first use."""
    return _runtime or init()
