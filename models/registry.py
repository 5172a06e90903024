"""Save and load model artifacts: skops files of plain arrays, each with a JSON receipt.

An artifact holds only dicts, lists, strings, numbers and numeric numpy arrays (the
fitted weights, not scikit-learn objects), so it is written by ``skops.io.dump`` and read
back by ``read_skops``: a small reader for exactly those node types of the skops format
that loads arrays with ``allow_pickle=False``. It refuses every other node type and never
imports scikit-learn, which keeps loading well under a second. ``skops.io.loads`` reads
the same files (the tests check both agree). ``save`` also rewrites the archive
deterministically (sequential object ids, fixed timestamps), so training twice with the
same seed gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
TASKS = ("spam", "toxicity")
FORMAT = 2  # 1: pickled scikit-learn pipelines in skops; 2: plain arrays
_SIMPLE = {"dict": "DictNode", "list": "ListNode", "tuple": "TupleNode"}


class ArtifactError(Exception):
    """An artifact is missing, corrupt, or contains anything but plain data."""


def artifact_paths(task: str, directory: str | os.PathLike[str] | None = None) -> tuple[Path, Path]:
    """Return the ``.skops`` file and the receipt path for ``task``."""
    root = Path(directory) if directory is not None else ARTIFACT_DIR
    return root / f"{task}.skops", root / f"{task}.json"


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save(
    task: str,
    model: dict[str, Any],
    receipt: dict[str, Any],
    directory: str | os.PathLike[str] | None = None,
) -> tuple[Path, Path]:
    """Write ``model`` (plain data) with skops, deterministically, and its receipt."""
    import skops.io as sio

    model_path, receipt_path = artifact_paths(task, directory)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    model_path.write_bytes(canonical_zip(sio.dumps(model)))
    receipt = {**receipt, "artifact": model_path.name, "sha256": sha256_file(model_path)}
    receipt_path.write_text(json.dumps(receipt, indent=2, sort_keys=True) + "\n")
    return model_path, receipt_path


def canonical_zip(data: bytes) -> bytes:
    """Rewrite a skops archive with sequential object ids and fixed timestamps."""
    src = zipfile.ZipFile(io.BytesIO(data))
    schema = json.loads(src.read("schema.json"))
    ids: dict[int, int] = {}
    files: dict[str, str] = {}

    def renumber(node: Any) -> None:
        if isinstance(node, dict):
            if "__id__" in node:
                node["__id__"] = ids.setdefault(node["__id__"], len(ids) + 1)
            if "file" in node:
                files[node["file"]] = node["file"] = f"{node['__id__']}.npy"
            for value in node.values():
                renumber(value)
        elif isinstance(node, list):
            for value in node:
                renumber(value)

    renumber(schema)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for old, new in sorted(files.items(), key=lambda kv: int(kv[1].split(".")[0])):
            _write(dst, new, src.read(old))
        _write(dst, "schema.json", json.dumps(schema).encode())
    return out.getvalue()


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data, compresslevel=9)


def read_skops(data: bytes) -> Any:
    """Read a skops archive of plain data (dict/list/tuple/JSON values/numeric arrays)."""
    import numpy as np

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        schema = json.loads(archive.read("schema.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ArtifactError(f"not a skops archive: {exc}") from exc

    def node(obj: dict[str, Any]) -> Any:
        kind, cls, module = obj.get("__loader__"), obj.get("__class__"), obj.get("__module__")
        if kind == "JsonNode" and module == "builtins" and obj.get("is_json"):
            return json.loads(obj["content"])
        if kind == "NdArrayNode" and module == "numpy" and obj.get("type") == "numpy":
            array = np.load(io.BytesIO(archive.read(obj["file"])), allow_pickle=False)
            if array.dtype.kind not in "biuf":
                raise ArtifactError(f"array of dtype {array.dtype} is not allowed")
            return array
        if module == "builtins" and _SIMPLE.get(cls or "") == kind:
            if kind == "DictNode":
                keys = obj["key_types"]["content"]
                if any(
                    (k.get("__class__"), k.get("__module__")) != ("str", "builtins") for k in keys
                ):
                    raise ArtifactError("dictionary keys must be strings")
                return {k: node(v) for k, v in obj["content"].items()}
            items = [node(v) for v in obj["content"]]
            return tuple(items) if kind == "TupleNode" else items
        raise ArtifactError(f"node {module}.{cls} ({kind}) is not plain data")

    try:
        return node(schema)
    except ArtifactError:
        raise
    except Exception as exc:  # a malformed schema raises many kinds
        raise ArtifactError(f"malformed skops archive: {exc!r}") from exc


def load(task: str, directory: str | os.PathLike[str] | None = None) -> tuple[Any, dict[str, Any]]:
    """Load ``task``'s weights and receipt, verifying the receipt's hash and the format."""
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
        model = read_skops(data)
    except ArtifactError as exc:
        raise ArtifactError(f"{task} artifact {model_path}: {exc}") from exc
    if not isinstance(model, dict) or model.get("format") != FORMAT:
        raise ArtifactError(f"{task} artifact {model_path} is not format {FORMAT}")
    return model, receipt
