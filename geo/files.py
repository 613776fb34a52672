"""Files that readers never see half-written: write beside the target, then rename.

Several app processes share the caches and the accounts file; a rename is atomic on one file
system, so a reader sees the old file or the new one, never a mix.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> write_atomically(folder / "note.txt", lambda p: p.write_text("xin chào", encoding="utf-8"))
>>> (folder / "note.txt").read_text(encoding="utf-8"), sorted(p.name for p in folder.iterdir())
('xin chào', ['note.txt'])
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(target: Path, write: Callable[[Path], object], *, mode: int = 0o644) -> None:
    """Call ``write(temporary)`` beside ``target``, then rename it to ``target``.

    Parameters
    ----------
    target : Path
        The file to (re)place; its folder is created when missing.
    write : callable
        Writes the content to the path it is given (e.g. ``frame.to_parquet``).
    mode : int
        Permissions of the result: ``mkstemp`` makes 0600 files, and the app may run as another
        user than the command that wrote the cache; secrets pass ``0o600``.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix
    )
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
