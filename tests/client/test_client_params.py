"""The keyword-argument TypedDicts (gumloop_nb/client/_params.py) list exactly the fields of
their request models, so type checkers accept every field a request can carry."""

from __future__ import annotations

import importlib.util
import typing
from pathlib import Path

import pytest

from gumloop_nb import types as t
from gumloop_nb.client import _params
from gumloop_nb.client._op import OPTION_NAMES

_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gen_params.py"


def _generator() -> typing.Any:
    spec = importlib.util.spec_from_file_location("gen_params", _SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(_generator().MODELS))
def test_each_params_typeddict_has_the_request_models_fields_and_the_call_options(
    name: str,
) -> None:
    generator = _generator()
    model = getattr(t, generator.MODELS[name])
    named = generator.NAMED.get(name, set())  # taken as named parameters by the method
    keys = set(typing.get_type_hints(getattr(_params, name)))
    assert keys - set(OPTION_NAMES) == set(model.model_fields) - named, (
        f"{name} is out of date: run python scripts/gen_params.py"
    )
    assert set(OPTION_NAMES) <= keys
