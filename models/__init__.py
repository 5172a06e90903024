"""Spam and toxicity classifiers for moderato.

Importing this package is cheap: scikit-learn, numpy and scipy are imported only by the
modules that need them (``models.scoring`` and below), so the web intake path can import
``models`` freely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.scoring import ModelLoadError, Scorer, load_scorer

__all__ = ["ModelLoadError", "Scorer", "load_scorer"]


def __getattr__(name: str) -> Any:
    """Import the scoring API lazily on first attribute access."""
    if name in __all__:
        from models import scoring

        return getattr(scoring, name)
    raise AttributeError(f"module 'models' has no attribute {name!r}")
