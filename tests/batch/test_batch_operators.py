"""The df.gumloop operators against the emulator: shapes, types, errors, the untouched input."""

from __future__ import annotations

import warnings
from typing import Any

import httpx
import pandas as pd
import pytest
from pydantic import BaseModel, field_validator

import gumloop_nb.batch as batch
from gumloop_nb.batch import TemplateError

SCHEMA = {
    "type": "object",
    "properties": {
        "mass": {"type": "number"},
        "metal": {"type": "boolean"},
        "year": {"type": "integer"},
        "note": {"type": "string"},
    },
    "required": ["mass", "metal", "year", "note"],
    "additionalProperties": False,
}


def test_map_adds_one_answer_per_row_and_leaves_the_input_untouched(
    elements: pd.DataFrame, client: Any
) -> None:
    df = elements.head(12)
    before = df.copy()
    out = df.gumloop.map("Summarise: {name} is a {category}", client=client, model="gpt-4.1-mini")
    pd.testing.assert_frame_equal(df, before)
    assert list(out.columns) == [*df.columns, "answer", "error"]
    assert out.index.equals(df.index)
    assert out["answer"].notna().all() and out["error"].isna().all()
    report = out.gumloop.report
    assert report.requests == 12 and report.made == 12 and report.cached == 0
    assert report.cost > 0 and report.cost == pytest.approx(report.provenance["cost"].sum())
    assert set(report.provenance["model"]) == {"gpt-4.1-mini"}
    assert out.gumloop.cost == report.cost


def test_a_misspelt_column_is_reported_before_anything_is_sent(
    elements: pd.DataFrame, counting: Any
) -> None:
    from gumloop_nb import Gumloop

    executor = counting()
    unreachable = Gumloop(api_key="k", base_url="http://127.0.0.1:9/api/v1")
    with pytest.raises(TemplateError) as info:
        elements.gumloop.map("Describe {nmae} in {categroy}", client=unreachable)
    message = str(info.value)
    assert "{nmae}" in message and "did you mean {name}" in message
    assert "{categroy}" in message and "did you mean {category}" in message
    assert executor.calls == 0


@pytest.mark.parametrize(
    "template",
    ["{name.__class__}", "{name[0]}", "{}", "{0}", "{name"],
)
def test_templates_only_name_columns(elements: pd.DataFrame, template: str) -> None:
    with pytest.raises(TemplateError):
        elements.gumloop.map(template, client=None)


def test_values_are_inserted_once_and_literal_braces_survive() -> None:
    from gumloop_nb.batch._template import RowTemplate

    template = RowTemplate.parse("{{keep}} {text} {mass:.1f}", ["text", "mass"])
    rendered = template.render({"text": "{mass} stays", "mass": 1.25})
    assert rendered == "{keep} {mass} stays 1.2"


def test_extract_parses_into_typed_columns(elements: pd.DataFrame, client: Any) -> None:
    out = elements.head(8).gumloop.extract("Facts about {name}", SCHEMA, client=client)
    assert str(out["mass"].dtype) == "Float64"
    assert str(out["metal"].dtype) == "boolean"
    assert str(out["year"].dtype) == "Int64"
    assert str(out["note"].dtype) == "string"
    assert out["error"].isna().all()
    assert out[["mass", "metal", "year", "note"]].notna().all().all()


class Strict(BaseModel):
    mass: float
    year: int

    @field_validator("year")
    @classmethod
    def _never(cls, value: int) -> int:
        raise ValueError("years are not accepted in this test")


def test_an_answer_that_does_not_fit_goes_to_the_error_column(
    elements: pd.DataFrame, client: Any
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = elements.head(4).gumloop.extract("Facts about {name}", Strict, client=client)
    assert out["error"].notna().all()
    assert out["error"].str.contains("year").all()
    assert out["mass"].isna().all()
    assert any(issubclass(w.category, batch.BatchWarning) for w in caught)
    assert out.gumloop.report.errors == 4


def test_extract_with_a_pydantic_model(elements: pd.DataFrame, client: Any) -> None:
    class Facts(BaseModel):
        mass: float
        year: int

    out = elements.head(3).gumloop.extract("Facts about {name}", Facts, client=client)
    assert str(out["year"].dtype) == "Int64" and out["year"].notna().all()


def test_classify_picks_one_of_the_labels(elements: pd.DataFrame, client: Any) -> None:
    labels = ["metal", "nonmetal", "noble gas"]
    out = elements.head(20).gumloop.classify("category", labels, client=client)
    assert isinstance(out["label"].dtype, pd.CategoricalDtype)
    assert list(out["label"].cat.categories) == labels
    assert out["label"].notna().all()
    assert out.gumloop.report.extra["endpoint"] in ("decisions", "chat")


def test_classify_with_reasons(elements: pd.DataFrame, client: Any) -> None:
    out = elements.head(5).gumloop.classify(
        "{name}: {category}",
        {"metal": "conducts", "other": "anything else"},
        reason=True,
        client=client,
    )
    assert out["label"].isin(["metal", "other"]).all()
    assert out["label_reason"].str.len().gt(0).all()


def test_filter_keeps_a_subset_of_the_rows(elements: pd.DataFrame, client: Any) -> None:
    df = elements.head(30)
    out = df.gumloop.filter("is a gas at room temperature", client=client)
    assert list(out.columns) == list(df.columns)
    assert set(out.index) <= set(df.index)
    verdicts = out.gumloop.report.provenance["keep"]
    assert len(verdicts) == 30
    assert list(out.index) == list(verdicts[verdicts.fillna(False)].index)


def test_compare_puts_models_side_by_side_with_agreement(
    elements: pd.DataFrame, client: Any
) -> None:
    models = ["gpt-4.1", "claude-haiku-4-5", "gemini-2.5-flash"]
    out = elements.head(6).gumloop.compare("Is {name} a metal?", models, client=client)
    for model in models:
        assert out[model].notna().all()
    assert out["agreement"].between(1 / 3, 1).all()
    matrix = out.gumloop.report.agreement
    assert list(matrix.index) == models
    assert all(matrix.loc[m, m] == 1 for m in models)
    assert out.gumloop.report.requests == 18


def test_agg_reduces_batches_and_keeps_the_steps(elements: pd.DataFrame, client: Any) -> None:
    out = elements.gumloop.agg(
        "What do these elements share?", batch_tokens=300, fan_in=4, client=client
    )
    assert len(out) == 1 and out.loc[0, "rows"] == len(elements)
    steps = out.gumloop.report.steps
    first = steps[steps["level"] == 0]
    assert first["rows"].sum() == len(elements) and len(first) == out.loc[0, "batches"] > 1
    assert steps["level"].max() == out.loc[0, "levels"] - 1
    assert (steps.groupby("level").size().diff().dropna() < 0).all()
    assert out.loc[0, "answer"] == steps.iloc[-1]["answer"]


def test_mcp_runs_a_tool_per_row_and_flattens_the_results(
    planets: pd.DataFrame, client: Any
) -> None:
    out = planets.gumloop.mcp(
        "datasets",
        "query",
        arguments={"sql": "SELECT symbol FROM elements WHERE period = {order_from_sun}"},
        client=client,
    )
    sizes = out.groupby(level=0).size()
    # Periods 1..7 hold 2, 8, 8, 18, 18, 32, 32 elements; there is no period 8.
    assert list(sizes) == [2, 8, 8, 18, 18, 32, 32, 1]
    assert out.loc[7, "symbol"] is pd.NA or pd.isna(out.loc[7, "symbol"])
    assert out["name"].iloc[0] == "Mercury"


def test_flow_runs_a_saved_flow_per_row(planets: pd.DataFrame, emulator: Any) -> None:
    from gumloop_nb import Gumloop

    client = Gumloop(api_key="k", base_url=emulator.base_url, user_id="usr_demo")
    out = planets.head(3).gumloop.flow(
        "summarize",
        inputs={"text": "{name} has {moons} moons"},
        poll_interval=0.01,
        client=client,
    )
    assert out["summary"].notna().all() and out["error"].isna().all()
    assert list(out["name"]) == ["Mercury", "Venus", "Earth"]


def test_unknown_run_options_are_refused(elements: pd.DataFrame) -> None:
    with pytest.raises(TypeError, match="temperature"):
        elements.gumloop.map("{name}", temperature=0)


def test_importing_the_layer_loads_no_pandas_and_registers_when_pandas_loads() -> None:
    import subprocess
    import sys

    code = (
        "import sys, gumloop_nb.batch\n"
        "heavy = [m for m in ('pandas', 'httpx', 'dask') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "import pandas as pd\n"
        "assert type(pd.DataFrame({'a': [1]}).gumloop).__name__ == 'GumloopAccessor'\n"
        "assert 'dask' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_classify_uses_the_decisions_endpoint_where_the_backend_has_it(
    elements: pd.DataFrame, client: Any, counting: Any
) -> None:
    decisions = counting("decisions")
    chat = counting("chat")
    out = elements.head(10).gumloop.classify(
        "category", ["metal", "nonmetal", "noble gas"], client=client
    )
    assert out.gumloop.report.extra["endpoint"] == "decisions"
    assert decisions.calls == elements.head(10)["category"].nunique() and chat.calls == 0
    assert out["label_confidence"].between(0, 1).all()
    # The emulator's decision model reads the option words: the noble gases are recognised.
    assert (out.loc[out["category"] == "noble gas", "label"] == "noble gas").all()


class NoDecisions(httpx.AsyncBaseTransport):
    """A backend without POST /decisions: 404 for that path, everything else passed through."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.missing = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/decisions"):
            self.missing += 1
            body = {"error": {"code": "not_found", "message": "no such endpoint", "type": "x"}}
            return httpx.Response(404, json=body)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_without_decisions_classify_and_filter_fall_back_to_structured_output(
    elements: pd.DataFrame, emulator: Any, counting: Any
) -> None:
    from gumloop_nb import AsyncGumloop

    transports: list[NoDecisions] = []

    def factory() -> AsyncGumloop:
        transports.append(NoDecisions())
        return AsyncGumloop(
            api_key="k",
            base_url=emulator.base_url + "/",
            max_retries=0,
            http_client=httpx.AsyncClient(transport=transports[-1]),
        )

    chat = counting("chat")
    out = elements.head(12).gumloop.classify(
        "{name}", ["metal", "other"], client=factory, concurrency=1
    )
    assert out["label"].isin(["metal", "other"]).all()
    assert out.gumloop.report.extra["endpoint"] == "chat"
    assert chat.calls == 12
    assert transports[-1].missing == 1  # detected once, then structured output for the rest
    kept = elements.head(12).gumloop.filter("is a metal", client=factory)
    assert transports[-1].missing == 0  # remembered for this backend
    assert len(kept.gumloop.report.provenance) == 12


def test_operators_work_while_an_event_loop_runs_in_this_thread(
    elements: pd.DataFrame, client: Any
) -> None:
    import asyncio

    async def cell() -> pd.DataFrame:  # Jupyter runs cells with its loop already running
        return elements.head(4).gumloop.map("{name}", client=client)

    out = asyncio.run(cell())
    assert out["answer"].notna().all()


def test_the_progress_bar_shows_rows_errors_and_credits(
    elements: pd.DataFrame, client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    elements.head(5).gumloop.map("{name} {symbol}", client=client, progress=True)
    err = capsys.readouterr().err
    assert "5/5" in err and "errors=0" in err and "credits=" in err


def test_without_tqdm_a_text_bar_is_drawn(
    elements: pd.DataFrame,
    client: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    elements.head(3).gumloop.map("{name} {category}", client=client, progress=True)
    err = capsys.readouterr().err
    assert "map: [" in err and "3/3" in err and "errors=0" in err


def test_a_factory_probe_that_opened_its_pool_is_closed_even_inside_a_running_loop() -> None:
    import asyncio

    from gumloop_nb import AsyncGumloop
    from gumloop_nb.batch._engine import Backend

    probe = AsyncGumloop(api_key="k", base_url="http://127.0.0.1:9/api/v1")
    opened = probe._transport._pool.get()  # what a first request does

    async def build_inside_a_loop() -> Backend:  # as in a notebook cell
        return Backend(factory=lambda: probe)

    backend = asyncio.run(build_inside_a_loop())
    assert backend.base_url == "http://127.0.0.1:9/api/v1"
    assert opened.is_closed
