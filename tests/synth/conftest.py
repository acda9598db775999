"""Small, seeded populations and batches shared by the generator's tests.

Session-scoped: generating them takes about a second, and no test mutates them.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pyarrow as pa
import pytest

from disclosure_gateway.synth import (
    MasterIndex,
    generate_batch_tables,
    generate_population_table,
    index_master,
)

POPULATION_SEED = 11
BATCH_SEED = 5
BATCH_DATE = date(2026, 3, 2)


@pytest.fixture(scope="session")
def population() -> pa.Table:
    return generate_population_table(20_000, POPULATION_SEED)


@pytest.fixture(scope="session")
def master_df(population: pa.Table) -> pd.DataFrame:
    return population.to_pandas()


@pytest.fixture(scope="session")
def master_index(population: pa.Table) -> MasterIndex:
    return index_master(population)


@pytest.fixture(scope="session")
def batch(master_index: MasterIndex) -> tuple[pd.DataFrame, pd.DataFrame]:
    records, truth = generate_batch_tables(master_index, 3_000, BATCH_SEED, batch_date=BATCH_DATE)
    return records.to_pandas(), truth.to_pandas()


@pytest.fixture(scope="session")
def harsh_batch(master_index: MasterIndex) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same master, a batch with the harsh preset's error model."""
    from disclosure_gateway.synth import BatchKnobs, build_knobs

    records, truth = generate_batch_tables(master_index, 3_000, BATCH_SEED,
                                           build_knobs(BatchKnobs, preset="harsh"),
                                           batch_date=BATCH_DATE)
    return records.to_pandas(), truth.to_pandas()
