"""Trained models as versioned JSON files under ``W/models/``.

A model file is ``model-vNNNN.json``::

    {"format": "dgw-linkage-model/1", "version": 3, "model_hash": "…",
     "settings_hash": "…", "engine": "splink 5.0.0 / duckdb 2.0.1",
     "trained_at": "…", "training": {…}, "model": {…Splink settings…}}

``model_hash`` is SHA-256 over the RFC 8785 form of ``model`` (the engine's
settings with every trained m and u), checked on load: a model edited by hand
is refused. ``settings_hash`` names the comparisons and candidate keys it was
trained for; a model whose settings are not the code's current ones is refused
too. The highest version is the one in use.
"""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..canonical import canonical_hash
from ..errors import InputError, NotFound
from . import settings as S

FORMAT = "dgw-linkage-model/1"
_NAME = re.compile(r"^model-v(\d{4,})\.json$")


@dataclass(frozen=True)
class StoredModel:
    path: Path
    version: int
    model: dict[str, Any]
    model_hash: str
    settings_hash: str
    metadata: dict[str, Any]

    @property
    def prior(self) -> float:
        return float(self.model["probability_two_random_records_match"])


def model_hash(model: dict[str, Any]) -> str:
    return canonical_hash(model)


def _versions(models_dir: Path) -> list[tuple[int, Path]]:
    if not models_dir.is_dir():
        return []
    found = []
    for p in models_dir.iterdir():
        m = _NAME.match(p.name)
        if m:
            found.append((int(m.group(1)), p))
    return sorted(found)


def save_model(models_dir: Path, model: dict[str, Any], *, engine: str,
               training: dict[str, Any]) -> StoredModel:
    """Write the next version atomically and return it."""
    models_dir.mkdir(parents=True, exist_ok=True)
    existing = _versions(models_dir)
    version = existing[-1][0] + 1 if existing else 1
    path = models_dir / f"model-v{version:04d}.json"
    h = model_hash(model)
    doc = {
        "format": FORMAT,
        "version": version,
        "model_hash": h,
        "settings_hash": S.settings_hash(),
        "settings_version": S.SETTINGS_VERSION,
        "engine": engine,
        "training": training,
        "model": model,
    }
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
    return StoredModel(path, version, model, h, S.settings_hash(), doc)


def read_model_file(path: Path) -> StoredModel:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(f"cannot read model: {e.strerror}", where=str(path)) from e
    except json.JSONDecodeError as e:
        raise InputError(f"model is not valid JSON: {e.msg}", where=str(path)) from e
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError(f"not a {FORMAT} file", where=str(path))
    model = doc.get("model")
    if not isinstance(model, dict):
        raise InputError("model file has no model", where=str(path))
    h = model_hash(model)
    if h != doc.get("model_hash"):
        raise InputError("model hash does not match its content (edited?)", where=str(path))
    if doc.get("settings_hash") != S.settings_hash():
        raise InputError("model was trained for other linkage settings; train again with "
                         "`dgw model train`", where=str(path))
    return StoredModel(path, int(doc.get("version", 0)), model, h, doc["settings_hash"], doc)


def load_model(models_dir: Path, version: int | None = None) -> StoredModel:
    """The given version, else the newest."""
    found = dict(_versions(models_dir))
    if not found:
        raise NotFound("no trained model; train one with `dgw model train`", where=str(models_dir))
    if version is None:
        version = max(found)
    if version not in found:
        raise NotFound(f"no model version {version}", where=str(models_dir))
    return read_model_file(found[version])


def untrained_model(prior: float) -> dict[str, Any]:
    """The settings with their prior m/u."""
    return S.splink_settings(prior)


#: the reference model shipped with the package: trained on a seeded synthetic
#: world (``scripts/train_reference_model.py``) for data too small or too sparse
#: to train on
REFERENCE_MODEL = Path(__file__).resolve().parent.parent / "data" / "reference-model.json"


def reference_model(prior: float) -> tuple[dict[str, Any], str]:
    """The shipped reference model with this master's prior, and what it is. Where
    the shipped file is missing or was trained for other settings, the settings'
    prior parameters (and the label says so)."""
    try:
        stored = read_model_file(REFERENCE_MODEL)
    except InputError as e:
        return untrained_model(prior), f"the settings' prior parameters ({e.message})"
    model = copy.deepcopy(stored.model)
    model["probability_two_random_records_match"] = prior
    return model, f"the shipped reference model ({stored.model_hash[:12]})"


def with_reference_m(model: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    """``model`` (u estimated on this data) with the reference's m, level by level."""
    out = copy.deepcopy(model)
    ref = {(c["output_column_name"], lv["label_for_charts"]): lv.get("m_probability")
           for c in reference["comparisons"] for lv in c["comparison_levels"]}
    for c in out["comparisons"]:
        for lv in c["comparison_levels"]:
            m = ref.get((c["output_column_name"], lv["label_for_charts"]))
            if m is not None and not lv.get("is_null_level"):
                lv["m_probability"] = m
    return out
