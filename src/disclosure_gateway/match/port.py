"""The linkage port: what the gateway needs from a record-linkage engine.

Three capabilities, nothing else: train a model on requests against the
master, score given candidate pairs with a trained model, and draw the model's
charts. A model is plain JSON-compatible data (the engine's own settings
format), stored and hashed by ``model_store``; candidate pairs come from our own
candidate index (``candidates``), not from the engine's blocking, so the engine
can be swapped (Splink on DuckDB today, Splink on Spark for a larger master)
without touching the decision path.

Tables are named tables of one DuckDB connection, in the layout
``master_index.MODEL_COLUMNS`` (term frequencies included as columns, so no
engine-side frequency tables are needed); pairs tables have ``join_key_l``
(request), ``join_key_r`` (master) and ``match_key`` (the candidate rules).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import duckdb

from ..errors import GatewayError

#: dataset names the engine sees; the pairs' join keys are ``<dataset>-__-<uid>``
REQUEST_DATASET = "requests"
MASTER_DATASET = "master"
JOIN_SEPARATOR = "-__-"


class LinkageEngineError(GatewayError):
    """The linkage engine failed (training, loading a model, scoring)."""

    kind = "linkage-failed"
    status = 500
    exit_code = 9


class NoTrainingPairs(LinkageEngineError):
    """No EM block of the training plan has enough record pairs in these tables.

    ``model`` is what could be estimated without them (u from random pairs; m
    still the settings' priors), for the caller to complete from a reference."""

    def __init__(self, message: str, model: dict[str, Any]) -> None:
        super().__init__(message)
        self.model = model


class PairScorer(Protocol):
    """A trained model bound to one requests table and one master table.

    Both methods return the name of a new table with ``uid_l`` (request),
    ``uid_r`` (master), ``match_weight``, ``match_probability``, one
    ``mw_<comparison>`` column per comparison (plus ``mw_tf_adj_<c>`` where a
    term-frequency adjustment applies) and ``match_key``.
    """

    def score(self, pairs: str, *, min_weight: float | None = None) -> str:
        """Score the pairs in table ``pairs`` (a batch). Pairs below ``min_weight``
        may be left out: they cannot change a decision."""
        ...

    def score_all(self, requests: str, candidates: str) -> str:
        """Score every request × candidate row of two small tables (one request)."""
        ...

    def drop(self, table: str) -> None:
        """Drop a table this scorer returned."""
        ...


class LinkagePort(Protocol):
    name: str

    def train(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        requests: str,
        master: str,
        prior: float,
        progress: Callable[[str], None] | None = None,
    ) -> dict[str, Any]:
        """Estimate the model's parameters; return the trained model (JSON data)."""
        ...

    def scorer(
        self,
        con: duckdb.DuckDBPyConnection,
        model: Mapping[str, Any],
        *,
        requests: str,
        master: str,
    ) -> PairScorer:
        """Bind ``model`` to the two tables."""
        ...

    def write_charts(self, model: Mapping[str, Any], out_dir: Path) -> list[Path]:
        """Write the model's charts (match weights, m/u) as files; return their paths."""
        ...
