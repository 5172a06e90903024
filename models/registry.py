"""Save and load model artifacts safely with skops, each with a JSON receipt."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
TASKS = ("spam", "toxicity")
# Types outside scikit-learn's defaults that our artifacts may contain; anything else
# found in a file refuses to load.
TRUSTED_TYPES = (
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "models.features.CommentFeatures",
)


class ArtifactError(Exception):
    """An artifact is missing, corrupt, or contains untrusted types."""


def artifact_paths(task: str, directory: str | os.PathLike[str] | None = None) -> tuple[Path, Path]:
    """Return the ``.skops`` file and the receipt path for ``task``."""
    root = Path(directory) if directory is not None else ARTIFACT_DIR
    return root / f"{task}.skops", root / f"{task}.json"


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save(
    task: str, model: Any, receipt: dict[str, Any], directory: str | os.PathLike[str] | None = None
) -> tuple[Path, Path]:
    """Write ``model`` with skops and its receipt (with the file's SHA-256) to disk."""
    import skops.io as sio

    model_path, receipt_path = artifact_paths(task, directory)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(model, model_path, compression=8)
    receipt = {**receipt, "artifact": model_path.name, "sha256": sha256_file(model_path)}
    receipt_path.write_text(json.dumps(receipt, indent=2, sort_keys=True) + "\n")
    return model_path, receipt_path


def load(task: str, directory: str | os.PathLike[str] | None = None) -> tuple[Any, dict[str, Any]]:
    """Load ``task``'s model and receipt, verifying the hash and the types it contains."""
    import skops.io as sio

    model_path, receipt_path = artifact_paths(task, directory)
    if not model_path.is_file() or not receipt_path.is_file():
        raise ArtifactError(f"{task} artifact not found: expected {model_path} and {receipt_path}")
    try:
        receipt = json.loads(receipt_path.read_text())
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{task} receipt {receipt_path} is unreadable: {exc}") from exc
    data = model_path.read_bytes()
    if hashlib.sha256(data).hexdigest() != receipt.get("sha256"):
        raise ArtifactError(f"{task} artifact {model_path} does not match its receipt's SHA-256")
    try:
        untrusted = sio.get_untrusted_types(data=data)
        unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
        if unexpected:
            raise ArtifactError(f"{task} artifact contains untrusted types: {unexpected}")
        model = sio.loads(data, trusted=list(untrusted))
    except ArtifactError:
        raise
    except Exception as exc:  # skops raises many kinds on a corrupt file
        raise ArtifactError(f"{task} artifact {model_path} could not be loaded: {exc}") from exc
    return model, receipt
