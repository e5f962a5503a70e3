"""DataFrames from Gumloop results: MCP results, listings, flow outputs, chat results, artifacts.

pandas is imported only when a function runs, so importing this package stays cheap.

Example::

    from gumloop_nb.frames import to_dataframe, read_artifact
    df = to_dataframe(client.mcp.execute("datasets", "query", {"sql": "select * from elements"}))
    table = read_artifact(client, artifact)      # CSV/TSV/JSON/JSONL/Parquet/Excel -> DataFrame
"""

from __future__ import annotations

from .._optional import require
from ._artifacts import DEFAULT_MAX_BYTES, aread_artifact, read_artifact
from ._dispatch import to_dataframe
from ._errors import ArtifactTooLargeError, FrameError, FrameWarning, MissingDependencyError
from ._flatten import records_to_dataframe, records_to_long
from ._formats import parse_artifact
from ._limits import DEFAULT_MAX_CELLS, DEFAULT_MAX_COLUMNS

# Every function here builds DataFrames (the modules above import pandas only when called).
require("DataFrames (gumloop_nb.frames)", "pandas")

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CELLS",
    "DEFAULT_MAX_COLUMNS",
    "ArtifactTooLargeError",
    "FrameError",
    "FrameWarning",
    "MissingDependencyError",
    "aread_artifact",
    "parse_artifact",
    "read_artifact",
    "records_to_dataframe",
    "records_to_long",
    "to_dataframe",
]
