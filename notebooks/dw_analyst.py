"""Loads the CSV views written by `bin/distillwatch export analyst` for the notebooks of this folder.

The folder comes from the environment variable DW_ANALYST_DIR, else ../demo-lake/analyst (what
`bin/distillwatch demo` writes). Account ids in the files are keyed pseudonyms unless the export was
made with --internal (manifest.json says which).
"""
import json
import os
from pathlib import Path

import pandas as pd



def folder():
    d = Path(os.environ.get("DW_ANALYST_DIR", Path(__file__).resolve().parent.parent / "demo-lake" / "analyst"))
    if not (d / "manifest.json").is_file():
        raise FileNotFoundError(
            f"no analyst export in {d}: run `bin/distillwatch export analyst --lake demo-lake --out {d}` "
            "(the demo does it) or set DW_ANALYST_DIR")
    return d


def load():
    """The manifest and every view as a DataFrame, dates parsed."""
    d = folder()
    manifest = json.loads((d / "manifest.json").read_text())
    views = {}
    for name in manifest["files"]:
        frame = pd.read_csv(d / name, keep_default_na=True)
        for column in frame.columns:
            if column in ("date", "first_seen", "first_flagged") or column.endswith("_date"):
                frame[column] = pd.to_datetime(frame[column])
        views[name[:-4]] = frame
    return manifest, views


def capability_columns(frame):
    return [c for c in frame.columns if c.startswith("cap_") and c.endswith("_share")]
