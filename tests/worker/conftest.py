"""Worker fixtures: the real shipped models, loaded once, and an in-process runtime."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from models.scoring import Scorer, load_scorer
from worker import runtime


@pytest.fixture(scope="session")
def scorer() -> Scorer:
    """The shipped spam and toxicity models, loaded once per session."""
    return load_scorer()


@pytest.fixture
def worker_runtime(app: Flask, scorer: Scorer) -> Iterator[runtime.Runtime]:
    """The runtime a worker process would build, for running jobs in this process."""
    rt = runtime.Runtime(
        app=app,
        db=app.extensions["moderato.db"],
        queue=app.extensions["moderato.queue"],
        scorer=scorer,
    )
    runtime.install(rt)
    yield rt
    runtime.install(None)
