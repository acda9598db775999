"""The synthetic population and request-batch generator.

A tool in its own right (``dgw synth``, documented in docs/synth.md) and the
source of every test and demo batch: a taxpayer master file with address
histories, and request batches whose truth file says whom each request really
means, how it was garbled, and which legal defect it carries.

Public surface::

    generate_population(n, seed, knobs) -> pandas.DataFrame
    write_population(path, n, seed=..., knobs=...) -> PopulationSummary
    generate_batch(master, m, seed, knobs, batch_date, agreement) -> (records, truth)
    write_batch(out_dir, master, m, seed=..., agreement=..., sign_with=...) -> BatchSummary
"""

from __future__ import annotations

from .batch import BATCH_STEPS, generate_batch, generate_batch_tables
from .corruptions import CORRUPTION_KINDS
from .io import (
    BatchSummary,
    PopulationSummary,
    reference_agreement,
    reference_agreement_path,
    write_batch,
    write_master,
    write_population,
)
from .knobs import BatchKnobs, PopulationKnobs, build_knobs, knob_docs
from .master import MasterIndex, index_master, read_master
from .population import POPULATION_STEPS, generate_population, generate_population_table, iter_population
from .tins import is_valid_tin

__all__ = [
    "BATCH_STEPS",
    "CORRUPTION_KINDS",
    "POPULATION_STEPS",
    "BatchKnobs",
    "BatchSummary",
    "MasterIndex",
    "PopulationKnobs",
    "PopulationSummary",
    "build_knobs",
    "generate_batch",
    "generate_batch_tables",
    "generate_population",
    "generate_population_table",
    "index_master",
    "is_valid_tin",
    "iter_population",
    "knob_docs",
    "read_master",
    "reference_agreement",
    "reference_agreement_path",
    "write_batch",
    "write_master",
    "write_population",
]
