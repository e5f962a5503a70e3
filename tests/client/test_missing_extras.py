"""A missing optional dependency is one line naming the extra to install, for every part.

Each case runs in a fresh interpreter where an import hook hides the named modules, as if
``pip install gumloop_nb`` had been run without the extra.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from gumloop_nb._optional import EXTRAS, MissingExtraError, require

_HIDE = textwrap.dedent(
    """
    import importlib.abc, sys
    HIDDEN = set(sys.argv[1].split(","))

    class Hide(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in HIDDEN:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Hide())
    """
)


def _run(hidden: str, code: str) -> subprocess.CompletedProcess[str]:
    script = _HIDE + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", script, hidden],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _one_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


@pytest.mark.parametrize("hidden", ["uvicorn", "starlette", "python_multipart,multipart"])
def test_python_m_emulator_says_which_extra_to_install(hidden):
    r = _run(
        hidden,
        """
        import runpy
        sys.argv = ["gumloop_nb.emulator", "--port", "0"]
        runpy.run_module("gumloop_nb.emulator", run_name="__main__")
        """,
    )
    assert r.returncode == 1
    line = _one_line(r.stderr)
    assert 'pip install "gumloop_nb[emulator]"' in line
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_serve_raises_one_line_import_error_naming_the_extra():
    r = _run(
        "uvicorn",
        """
        from gumloop_nb.emulator import serve
        try:
            serve(speed=0)
        except ImportError as exc:
            print(type(exc).__name__, exc)
        """,
    )
    line = _one_line(r.stdout)
    assert line.startswith("MissingExtraError The emulator needs uvicorn")
    assert line.endswith('pip install "gumloop_nb[emulator]"')


def test_frames_without_pandas_names_the_notebook_extra():
    r = _run(
        "pandas",
        """
        try:
            from gumloop_nb import to_dataframe
        except ImportError as exc:
            print(exc)
        """,
    )
    assert _one_line(r.stdout).endswith('pip install "gumloop_nb[notebook]"')


def test_widgets_and_the_extension_without_ipywidgets():
    r = _run(
        "ipywidgets",
        """
        import gumloop_nb
        try:
            gumloop_nb.ChatStream
        except ImportError as exc:
            print(exc)
        try:
            gumloop_nb.load_ipython_extension(object())
        except Exception as exc:
            print(type(exc).__name__, exc)
        """,
    )
    widgets, extension = r.stdout.strip().splitlines()
    assert widgets.endswith('pip install "gumloop_nb[notebook]"') and "ipywidgets" in widgets
    assert extension.startswith("UsageError The notebook layer needs ipywidgets")


def test_parquet_without_pyarrow_names_the_formats_extra():
    r = _run(
        "pyarrow,fastparquet",
        """
        from gumloop_nb.frames import parse_artifact
        try:
            parse_artifact(b"PAR1" + b"0" * 16 + b"PAR1", filename="t.parquet")
        except ImportError as exc:
            print(exc)
        """,
    )
    assert _one_line(r.stdout).endswith('pip install "gumloop_nb[formats]"'), r.stderr


def test_require_names_the_distribution_and_extra():
    with pytest.raises(MissingExtraError) as info:
        EXTRAS["no_such_module_for_test"] = ("no-such-dist", "emulator")
        try:
            require("Something", "no_such_module_for_test")
        finally:
            del EXTRAS["no_such_module_for_test"]
    assert str(info.value) == (
        'Something needs no-such-dist, which is not installed: pip install "gumloop_nb[emulator]"'
    )
    require("Fine", "pandas", "starlette")  # installed here: no error
