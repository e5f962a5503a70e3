"""ddf.gumloop on a distributed LocalCluster: same answers as pandas, credentials kept out of the graph."""

from __future__ import annotations

import copyreg
import logging
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

# distributed installs tblib's exception pickling for the whole process when imported; take the
# pickling table before it is, so the module can put it back (later tests check how errors pickle).
_PICKLERS = dict(copyreg.dispatch_table)
dd = pytest.importorskip("dask.dataframe")
cloudpickle = pytest.importorskip("cloudpickle")
pytest.importorskip("distributed", reason="distributed is not installed (the dask extra)")

import gumloop_nb.batch.dask  # noqa: E402,F401

from .conftest import TOKEN  # noqa: E402

PROMPT = "Summarise {name} ({category})"


@pytest.fixture(scope="module", autouse=True)
def _undo_tblib_pickling() -> Iterator[None]:
    """Importing distributed makes every exception pickle its traceback and context (tblib);
    later tests in this process check how errors pickle, so that global change is undone."""
    yield
    copyreg.dispatch_table.clear()
    copyreg.dispatch_table.update(_PICKLERS)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        yield dask_client


def test_map_on_a_local_cluster_matches_pandas(
    elements: pd.DataFrame, client: Any, cluster: Any, tmp_path: Any
) -> None:
    ddf = dd.from_pandas(elements, npartitions=4)
    lazy = ddf.gumloop.map(PROMPT, client=client, cache=False)
    assert isinstance(lazy, dd.DataFrame)
    assert list(lazy.columns) == [*elements.columns, "answer", "error"]
    out = lazy.compute()
    expected = elements.gumloop.map(PROMPT, client=client, cache=False)
    pd.testing.assert_series_equal(out["answer"], expected["answer"])
    assert out["error"].isna().all()


def test_the_credential_is_not_in_the_task_graph_nor_the_logs(
    elements: pd.DataFrame, client: Any, cluster: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ddf = dd.from_pandas(elements.head(20), npartitions=2)
    lazy = ddf.gumloop.classify(
        "category", ["metal", "nonmetal", "noble gas"], client=client, cache=False
    )
    graph = dict(lazy.__dask_graph__())
    assert TOKEN.encode() not in cloudpickle.dumps(graph)
    assert TOKEN not in repr(graph) and TOKEN not in str(lazy)
    out = lazy.compute()
    assert out["label"].notna().all()
    assert TOKEN not in caplog.text
    for lines in cluster.get_worker_logs().values():
        assert all(TOKEN not in text for _, text in lines)
    plugins = cluster.run_on_scheduler(
        lambda dask_scheduler: [repr(p) for p in dask_scheduler.worker_plugins]
    )
    assert all(TOKEN not in p for p in plugins)


def test_meta_matches_what_the_partitions_return(
    elements: pd.DataFrame, client: Any, cluster: Any
) -> None:
    schema = {
        "type": "object",
        "properties": {"year": {"type": "integer"}, "rare": {"type": "boolean"}},
        "required": ["year", "rare"],
    }
    ddf = dd.from_pandas(elements.head(12), npartitions=3)
    lazy = ddf.gumloop.extract("Facts about {name}", schema, client=client)
    out = lazy.compute()
    assert dict(out.dtypes.astype(str)) == dict(lazy.dtypes.astype(str))
    assert str(out["year"].dtype) == "Int64"


def test_without_distributed_the_threads_scheduler_works(
    elements: pd.DataFrame, client: Any
) -> None:
    import dask

    ddf = dd.from_pandas(elements.head(10), npartitions=2)
    with dask.config.set(scheduler="threads"):
        kept = ddf.gumloop.filter("{name} is a noble gas", client=client).compute()
    assert set(kept.columns) == set(elements.columns)


def test_agg_reduces_partitions_then_partials(
    elements: pd.DataFrame, client: Any, cluster: Any
) -> None:
    ddf = dd.from_pandas(elements, npartitions=3)
    out = ddf.gumloop.agg("What do these elements share?", client=client, progress=False)
    assert len(out) == 1 and out.loc[0, "rows"] == len(elements)
    assert out.loc[0, "answer"]


def test_a_failing_partition_reports_why_without_an_exception_chain(
    elements: pd.DataFrame, emulator: Any, cluster: Any
) -> None:
    from gumloop_nb import Gumloop
    from gumloop_nb.batch.dask import PartitionError

    nobody = Gumloop(api_key=None, base_url=emulator.base_url)
    if nobody._has_credential():
        pytest.skip("a credential is set in the environment")
    ddf = dd.from_pandas(elements.head(4), npartitions=2)
    with pytest.raises(PartitionError, match="FatalBatchError") as info:
        ddf.gumloop.map(PROMPT, client=nobody, cache=False).compute()
    assert info.value.__context__ is None and info.value.__cause__ is None
