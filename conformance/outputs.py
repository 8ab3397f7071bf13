"""Every file this tool writes (summary.json, report.html, run.har, junit.xml, ledger.json) is written
here, never through a symlink.

A report directory can come from anywhere (a cloned repository can ship `reports/summary.json`
pointing at `~/.bashrc`), so an output is written to a new file with a name nobody could have
planted (mkstemp: O_CREAT|O_EXCL, in the same directory) and renamed over the output's name. The
rename replaces a symlink at that name with the regular file: the file the link pointed at is never
opened. The rename also means a reader, or an interrupt, never sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_text(path: str | Path, text: str) -> Path:
    """Write `text` (UTF-8) at `path`, replacing whatever is there (a symlink included) by a regular file."""
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(descriptor, 0o644)  # mkstemp's 0600 would hide a report from the CI job that publishes it
        # A lone surrogate (JSON can carry one) is written as its escape, not a crash at the end of a run.
        with os.fdopen(descriptor, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def unlink_symlink(path: str | Path) -> None:
    """Remove `path` if it is a symlink: for a file another library opens for writing (pytest's
    junit.xml), so that it creates a regular file instead of writing through the link."""
    path = Path(path)
    if path.is_symlink():
        path.unlink()
