"""``%gumloop`` / ``%%gumloop``: one magic, many small subcommands (see ``%gumloop?``).

Settings are traitlets, so both ``%config GumloopMagics.default_model = "gpt-4.1"`` and
``c.GumloopMagics.default_model`` in ``ipython_config.py`` work.
"""

from __future__ import annotations

import os
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from traitlets import Bool, Dict, Enum, Float, List, TraitError, Unicode, default, observe

from ._context import MagicContext
from ._registry import SUBCOMMANDS, overview

__all__ = ["GumloopMagics"]


def _load_subcommands() -> None:
    # Each module registers its subcommands on import.
    from . import agents, batch, chat, connection, data, media  # noqa: F401


@magics_class
class GumloopMagics(Magics):
    """The ``%gumloop`` magic and its settings."""

    default_model = Unicode("gpt-4.1", help="Model used when a cell gives no -m/--model.").tag(
        config=True
    )
    aliases = Dict(
        {}, help="Short names for models, e.g. {'fast': 'gemini-2.5-flash'} (%gumloop alias)."
    ).tag(config=True)
    compare_models = List(
        Unicode(),
        ["gpt-4.1", "claude-sonnet-4-5", "gemini-2.5-flash"],
        help="Models %%gumloop compare uses when the cell gives no -m (demo models that exist "
        "in the embedded emulator and on the real API).",
    ).tag(config=True)
    allowed_image_hosts = List(
        Unicode(),
        [],
        help="Hosts whose images in a model's answer are shown inline (e.g. ['example.com', "
        "'*.example.org']); images from other hosts are shown as links, so an answer cannot make "
        "the browser send data anywhere without a click.",
    ).tag(config=True)
    interpolate = Bool(
        True,
        help="Substitute {name} references in prompts (a cell can opt out with --raw).",
    ).tag(config=True)
    widgets = Enum(
        ["auto", "on", "off"],
        "auto",
        help="Live widgets: auto-detect the frontend, always, or never (plain rich output).",
    ).tag(config=True)
    emulator_speed = Float(
        1.0,
        help="Delay multiplier for the embedded emulator (0 = no simulated latency); "
        "defaults to $GUMLOOP_EMULATOR_SPEED when set.",
    ).tag(config=True)

    @default("emulator_speed")
    def _emulator_speed_from_env(self) -> float:
        # An environment knob, so CI, nbval and Binder can set it without editing notebooks.
        raw = os.environ.get("GUMLOOP_EMULATOR_SPEED", "").strip()
        if not raw:
            return 1.0
        try:
            speed = float(raw)
        except ValueError:
            raise TraitError(
                f"GUMLOOP_EMULATOR_SPEED must be a number such as 0 or 1, not {raw!r}."
            ) from None
        if speed < 0:
            raise TraitError("GUMLOOP_EMULATOR_SPEED must be 0 or more.")
        return speed

    def __init__(self, shell: Any = None, connection: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        _load_subcommands()
        self._connection = connection
        self.ctx = MagicContext(self)
        self.threads: dict[str, list[dict[str, Any]]] = {}
        from ..render import set_allowed_image_hosts

        set_allowed_image_hosts(self.allowed_image_hosts)

    @observe("allowed_image_hosts")
    def _image_hosts_changed(self, change: dict[str, Any]) -> None:
        from ..render import set_allowed_image_hosts

        set_allowed_image_hosts(change["new"])

    @observe("widgets")
    def _widgets_changed(self, change: dict[str, Any]) -> None:
        from .._display import set_widget_mode

        set_widget_mode(change["new"])

    def get_connection(self) -> Any:
        if self._connection is None:
            from ..connect import resolve_connection

            self._connection = resolve_connection(emulator_speed=self.emulator_speed)
            print(self._connection.banner())
        return self._connection

    def set_connection(self, connection: Any) -> None:
        old = self._connection
        self._connection = connection
        if old is not None and old is not connection:
            old.close()

    @line_cell_magic
    def gumloop(self, line: str, cell: str | None = None) -> Any:
        name, _, rest = line.strip().partition(" ")
        if not name or name in ("-h", "--help", "help"):
            print(overview())
            return None
        sub = SUBCOMMANDS.get(name)
        if sub is None:
            choices = ", ".join(sorted(SUBCOMMANDS))
            raise UsageError(
                f"Unknown subcommand {name!r}. Use one of: {choices} (%gumloop? for help)."
            )
        if rest.strip() in ("-h", "--help"):
            print(sub.usage())
            return None
        if sub.cell == "yes" and cell is None:
            raise UsageError(
                f"{name} takes the cell as input: write %%gumloop {name} ... on top of a cell."
            )
        if sub.cell == "no" and cell is not None and cell.strip():
            raise UsageError(f"{name} takes no cell: use the line form %gumloop {name} ...")
        args = sub.parse(rest)
        _check_output_name(getattr(args, "output", None))
        try:
            return sub.handler(self.ctx, args, cell)
        except KeyboardInterrupt:
            from ._context import interrupted

            raise interrupted(f"%gumloop {name} stopped.") from None


def _check_output_name(name: str | None) -> None:
    """``-o VAR`` must be a plain Python name: not a keyword, not ``__dunder__``."""
    import keyword

    if name is None:
        return
    if not name.isidentifier() or keyword.iskeyword(name):
        raise UsageError(
            f"-o {name!r} is not a Python variable name; use letters, digits and _ "
            "(e.g. -o answer)."
        )
    if name.startswith("__") and name.endswith("__"):
        raise UsageError(
            f"-o {name} would replace a Python internal ({name}); choose an ordinary name "
            "such as -o answer."
        )


def _document() -> None:
    _load_subcommands()
    GumloopMagics.gumloop.__doc__ = overview()
