"""Download one file, verify it, and only then put it in place.

The file is streamed into a temporary file *in the target folder*, hashed on the way, checked
against the expected size and SHA-256, and renamed over the target in one atomic step. Whatever
goes wrong (no answer, connection closed early, wrong bytes) the temporary file is removed, the
target is untouched, and a :class:`~geo.errors.FetchError` says what happened and what to do.

Examples
--------
>>> import hashlib, pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.txt").write_bytes(b"xin chao")
>>> sha = hashlib.sha256(b"xin chao").hexdigest()
>>> result = download((folder / "a.txt").as_uri(), folder / "copy" / "a.txt", sha256=sha)
>>> result.path.read_bytes(), result.downloaded
(b'xin chao', True)
>>> download((folder / "a.txt").as_uri(), folder / "copy" / "a.txt", sha256=sha).downloaded
False
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from geo.errors import FetchError

__all__ = ["DEFAULT_TIMEOUT", "Downloaded", "Progress", "ProgressCallback", "download", "sha256_of"]

#: Seconds to wait for the server to connect or send the next bytes.
DEFAULT_TIMEOUT = 60.0
_CHUNK = 1 << 16
_USER_AGENT = "commune-atlas (python -m geo boundaries fetch)"

Stage = Literal["download", "verify", "read", "match", "write", "done"]


@dataclass(frozen=True)
class Progress:
    """A progress report of a fetch.

    Attributes
    ----------
    stage : {"download", "verify", "read", "match", "write", "done"}
        What is happening.
    message : str
        One line for people (English).
    done : int
        Bytes downloaded (``download``), else steps done.
    total : int or None
        Expected total of ``done``; None when unknown.
    """

    stage: Stage
    message: str
    done: int = 0
    total: int | None = None

    @property
    def fraction(self) -> float | None:
        """``done / total`` between 0 and 1, or None when the total is unknown."""
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class Downloaded:
    """A verified file: where it is, its checksum, and whether the network was used."""

    path: Path
    url: str
    sha256: str
    size: int
    downloaded: bool


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _quiet(_progress: Progress) -> None:
    return None


def download(
    url: str,
    target: str | os.PathLike[str],
    *,
    sha256: str | None = None,
    size: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    label: str | None = None,
    progress: ProgressCallback | None = None,
    force: bool = False,
) -> Downloaded:
    """Download ``url`` to ``target``, verified; skip the network when a verified copy exists.

    Parameters
    ----------
    url : str
        ``http(s)://`` or ``file://`` URL.
    target : str or path-like
        Final path; its folder is created.
    sha256 : str, optional
        Expected SHA-256 (hex). Without it the file is accepted as it comes.
    size : int, optional
        Expected size in bytes (a clearer message than the checksum when a copy is short).
    timeout : float
        Seconds to wait to connect and for each block of data.
    label : str, optional
        How errors name the file (default: its name), e.g. ``"vietnam63 communes.rda"``.
    progress : callable, optional
        Called with :class:`Progress` reports (stage ``"download"``, bytes so far).
    force : bool
        Download even when a verified copy is already at ``target``.

    Returns
    -------
    Downloaded

    Raises
    ------
    FetchError
        No answer in time, HTTP error, connection closed before the announced size, size or
        checksum mismatch. Nothing is left behind.
    """
    target = Path(target)
    label = label or target.name
    report = progress or _quiet
    if not force and sha256 and target.is_file() and sha256_of(target) == sha256:
        report(Progress("download", f"{label}: verified copy already here", 1, 1))
        return Downloaded(target, url, sha256, target.stat().st_size, downloaded=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    os.close(handle)
    partial = Path(temporary)
    try:
        received, digest = _stream(url, partial, timeout=timeout, label=label, report=report)
        if size is not None and received != size:
            raise FetchError(
                label,
                f"got {received:,} bytes, the pinned file has {size:,}; the server or mirror "
                "does not hold the pinned version. Nothing was saved.",
                where=url,
            )
        report(Progress("verify", f"{label}: checking SHA-256", received, received))
        if sha256 is not None and digest != sha256:
            raise FetchError(
                label,
                f"checksum mismatch: expected SHA-256 {sha256}, got {digest} ({received:,} "
                "bytes). The file is not the pinned version (changed upstream, or a wrong "
                "mirror copy); nothing was saved. Check the mirror, or report it.",
                where=url,
            )
        os.chmod(partial, 0o644)  # mkstemp makes 0600 files; the app may run as another user
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Downloaded(target, url, digest, received, downloaded=True)


def _stream(
    url: str, partial: Path, *, timeout: float, label: str, report: ProgressCallback
) -> tuple[int, str]:
    """Copy the body of ``url`` into ``partial``; return bytes received and their SHA-256."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    digest = hashlib.sha256()
    received = 0
    expected: int | None = None
    hint = "check the network or the mirror (--mirror, GEO_BOUNDARY_MIRROR)"
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            expected = int(length) if length and length.isdigit() else None
            report(Progress("download", f"{label}: downloading", 0, expected))
            last = 0.0
            with partial.open("wb") as out:
                while True:
                    block = response.read(_CHUNK)
                    if not block:
                        break
                    out.write(block)
                    digest.update(block)
                    received += len(block)
                    now = time.monotonic()
                    if now - last > 0.1:  # a report per block would flood a terminal
                        report(Progress("download", f"{label}: downloading", received, expected))
                        last = now
    except urllib.error.HTTPError as exc:
        raise FetchError(
            label, f"the server answered HTTP {exc.code} {exc.reason}; {hint}", where=url
        ) from exc
    except TimeoutError as exc:
        raise FetchError(
            label,
            f"no answer within {timeout:g} s (after {received:,} bytes); try again later, "
            f"raise --timeout, or {hint}. Nothing was saved.",
            where=url,
        ) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchError(
                label,
                f"no answer within {timeout:g} s; try again later, raise --timeout, or {hint}. "
                "Nothing was saved.",
                where=url,
            ) from exc
        raise FetchError(label, f"cannot connect ({exc.reason}); {hint}", where=url) from exc
    except (OSError, http.client.HTTPException) as exc:
        # connection reset mid-body, IncompleteRead, a bad status line…: name the URL, keep nothing
        raise FetchError(
            label,
            f"the download broke off after {received:,} bytes ({exc!r}); try again. "
            "Nothing was saved.",
            where=url,
        ) from exc
    if expected is not None and received != expected:
        raise FetchError(
            label,
            f"the connection closed after {received:,} of {expected:,} bytes (truncated "
            "download); try again. Nothing was saved.",
            where=url,
        )
    report(Progress("download", f"{label}: downloaded", received, expected or received))
    return received, digest.hexdigest()
