"""The Splink adapter: the one module that imports Splink (pinned to 5.0.0).

It implements ``port.LinkagePort`` on DuckDB:

- ``train``: u by random sampling of request × master pairs; m by EM on the
  blocks of ``settings.TRAINING`` (TIN, birth date + family initial; never an
  address block, which would learn "same household" — see docs/linkage.md);
  the prior is given, not estimated; no trained m below the plan's floor.
- ``scorer``: a Splink ``Linker`` over the two tables with our candidate pairs
  registered for ``predict`` (Splink's own blocking is not used), and for one
  request Splink's real-time ``compare_records`` with its SQL cached, which
  scores a few hundred candidates in milliseconds.
- ``write_charts``: Splink's charts of a model, as self-contained HTML and
  Vega-Lite JSON.

Term frequencies travel as columns (``tf_given``, ``tf_family``) on both
tables, computed from the master, so both paths use the same values.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import splink
from splink import DuckDBAPI, Linker
from splink.internals.realtime import compare_records

from . import settings as S
from .port import MASTER_DATASET, REQUEST_DATASET, LinkageEngineError, NoTrainingPairs

SPLINK_VERSION = "5.0.0"
if splink.__version__ != SPLINK_VERSION:  # the model format and SQL are pinned to it
    raise ImportError(f"disclosure-gateway needs splink=={SPLINK_VERSION}, "
                      f"found {splink.__version__}")

# Splink logs its steps at INFO and training caveats at WARNING. We pass
# ``log_level=None`` (Splink then leaves logging alone), keep its logger quiet, and
# collect the training caveats ourselves (``_captured``) into the model's notes.
_LOG_LEVEL = None
_SPLINK_LOG = logging.getLogger("splink")
_SPLINK_LOG.setLevel(logging.ERROR)
_SPLINK_LOG.addHandler(logging.NullHandler())
_SPLINK_LOG.propagate = False


class _Collect(logging.Handler):
    def __init__(self, into: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(" ".join(record.getMessage().split()))


@contextmanager
def _captured() -> Iterator[list[str]]:
    """Splink's warnings (e.g. "level … not observed") while the block runs."""
    notes: list[str] = []
    handler = _Collect(notes)
    level = _SPLINK_LOG.level
    _SPLINK_LOG.addHandler(handler)
    _SPLINK_LOG.setLevel(logging.WARNING)
    try:
        yield notes
    finally:
        _SPLINK_LOG.removeHandler(handler)
        _SPLINK_LOG.setLevel(level)


def _brief(e: Exception) -> str:
    """Splink quotes the whole failing SQL; keep the database's own complaint."""
    text = str(e)
    if "Error was:" in text:
        text = text.split("Error was:", 1)[1]
    return " ".join(text.split())[:300]


def _settings(model: Mapping[str, Any]) -> dict[str, Any]:
    settings = dict(model)
    settings.pop("household_u", None)  # ours (the household test), not Splink's
    settings["retain_intermediate_calculation_columns"] = True
    settings["retain_matching_columns"] = False
    settings["linker_uid"] = None
    return settings


def floor_m(model: dict[str, Any], floor: float) -> dict[str, Any]:
    """Raise every m below ``floor`` to it and renormalise each comparison's m."""
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        ms = [max(float(lv.get("m_probability") or 0.0), floor) for lv in levels]
        total = sum(ms)
        for lv, m in zip(levels, ms, strict=True):
            lv["m_probability"] = m / total
    return model


def _block_pairs(con: duckdb.DuckDBPyConnection, requests: str, master: str, rule: str) -> int:
    """Record pairs a training block yields (a hash join on its equalities; cheap)."""
    return int(con.execute(f"SELECT count(*) FROM {requests} l JOIN {master} r ON {rule}"
                           ).fetchall()[0][0])


class SplinkScorer:
    """``port.PairScorer`` on one Splink linker (reusable across calls)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, model: Mapping[str, Any], *,
                 requests: str, master: str) -> None:
        self._con = con
        self._db = DuckDBAPI(connection=con)
        self._settings = _settings(model)
        self._cache_key = f"dgw-{id(self)}"
        self._tables = (requests, master)
        self._linker: Linker | None = None
        self._registered: str | None = None

    def _batch_linker(self) -> Linker:
        if self._linker is None:
            requests, master = self._tables
            try:
                left = self._db.register(requests, dataset_display_name=REQUEST_DATASET)
                right = self._db.register(master, dataset_display_name=MASTER_DATASET)
                self._linker = Linker([left, right], self._settings, log_level=_LOG_LEVEL)
            except Exception as e:  # Splink raises many kinds; report one
                raise LinkageEngineError(f"cannot load the linkage model: {_brief(e)}") from e
        return self._linker

    def score(self, pairs: str, *, min_weight: float | None = None) -> str:
        linker = self._batch_linker()
        try:
            if self._registered != pairs:
                sdf = self._db.register(pairs, table_name=f"__dgw_pairs_{pairs}")
                linker.table_management.register_blocked_pairs_for_predict(sdf)
                self._registered = pairs
            out = linker.inference.predict(
                threshold_match_weight=min_weight, warning_mode="never")
        except Exception as e:
            raise LinkageEngineError(f"scoring failed: {_brief(e)}") from e
        return str(out.physical_name)

    def score_all(self, requests: str, candidates: str) -> str:
        """Splink's real-time path; the tables need a ``source_dataset`` column."""
        try:
            out = compare_records(requests, candidates, self._settings, self._db,
                                  sql_cache_key=self._cache_key)
        except Exception as e:
            raise LinkageEngineError(f"scoring failed: {_brief(e)}") from e
        return str(out.physical_name)

    def drop(self, table: str) -> None:
        self._con.execute(f"DROP TABLE IF EXISTS {table}")


class SplinkDuckDB:
    """``port.LinkagePort`` with Splink 5 on DuckDB."""

    name = f"splink {SPLINK_VERSION} / duckdb {duckdb.__version__}"

    def train(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        requests: str,
        master: str,
        prior: float,
        progress: Callable[[str], None] | None = None,
    ) -> dict[str, Any]:
        say = progress or (lambda _msg: None)
        db = DuckDBAPI(connection=con)
        plan = S.TRAINING
        try:
            with _captured() as notes:
                left = db.register(requests, dataset_display_name=REQUEST_DATASET)
                right = db.register(master, dataset_display_name=MASTER_DATASET)
                linker = Linker([left, right], S.splink_settings(prior), log_level=_LOG_LEVEL)
                persons = int(con.execute(f"SELECT count(*) FROM {master}").fetchall()[0][0])
                say("u by random sampling")
                linker.training.estimate_u_using_random_sampling(
                    max_pairs=plan.u_pairs(persons), seed=plan.u_seed)
                trained = 0
                for rule in plan.em_blocks:
                    pairs = _block_pairs(con, requests, master, rule)
                    if pairs < plan.em_min_pairs:
                        # Ordinary data can lack a block (no identifiers given, no
                        # birth dates): EM runs on the blocks that have pairs.
                        say(f"note: EM block {rule} skipped: {pairs} record pairs "
                            f"(fewer than {plan.em_min_pairs})")
                        continue
                    say(f"m by EM on {rule} ({pairs:,} pairs)")
                    try:
                        linker.training.estimate_parameters_using_expectation_maximisation(
                            rule, estimate_without_term_frequencies=True)
                        trained += 1
                    except Exception as e:  # EM gave up on this block: the others still count
                        say(f"note: EM block {rule} skipped: {_brief(e)}")
                model: dict[str, Any] = linker.misc.save_model_to_json()
        except Exception as e:
            raise LinkageEngineError(f"training failed: {_brief(e)}") from e
        for note in dict.fromkeys(notes):  # e.g. levels EM could not train (kept at priors)
            say(f"note: {note}")
        model["probability_two_random_records_match"] = prior
        model.pop("linker_uid", None)
        if not trained:
            raise NoTrainingPairs("no EM block has enough record pairs ("
                                  + "; ".join(plan.em_blocks) + ")", model)
        return floor_m(model, plan.m_floor)

    def scorer(
        self,
        con: duckdb.DuckDBPyConnection,
        model: Mapping[str, Any],
        *,
        requests: str,
        master: str,
    ) -> SplinkScorer:
        return SplinkScorer(con, model, requests=requests, master=master)

    def write_charts(self, model: Mapping[str, Any], out_dir: Path) -> list[Path]:
        from .master_index import MODEL_COLUMNS

        out_dir.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect()

        def sql_type(c: str) -> str:
            if c in ("given_alts", "family_tokens", *S.HISTORY_COLUMNS):
                return "VARCHAR[]"
            return "DOUBLE" if c.startswith("tf_") else "VARCHAR"

        # Charts need no data, but a Linker needs tables: two empty ones will do.
        cols = ", ".join(f"{c} {sql_type(c)}" for c in MODEL_COLUMNS)
        con.execute(f"CREATE TABLE a ({cols}); CREATE TABLE b ({cols})")
        db = DuckDBAPI(connection=con)
        linker = Linker([db.register("a", dataset_display_name=REQUEST_DATASET),
                         db.register("b", dataset_display_name=MASTER_DATASET)],
                        _settings(model), log_level=_LOG_LEVEL)
        charts: dict[str, Any] = {
            "match_weights": linker.visualisations.match_weights_chart(),
            "m_u_parameters": linker.visualisations.m_u_parameters_chart(),
        }
        written: list[Path] = []
        for name, chart in charts.items():
            # Self-contained HTML (the libraries inlined: a custodian's network may be
            # closed) and the Vega-Lite spec with its data as JSON.
            html = out_dir / f"{name}.html"
            html.write_text(chart.to_html(inline=True), encoding="utf-8")
            spec = out_dir / f"{name}.vl.json"
            spec.write_text(json.dumps(chart.chart_dict, indent=1, default=str), encoding="utf-8")
            written += [html, spec]
        con.close()
        return written
