"""Errors that carry a message a user can act on.

Each error says which file, which feature or row, and what went wrong. The text is built by
:mod:`geo.i18n` so the app can show it in Vietnamese or English.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problem:
    """One finding about an input: where it is and what is wrong.

    Parameters
    ----------
    source : str
        File name (or another label of the input).
    where : str
        Feature, row or column the problem is about ("" when it concerns the whole file).
    message : str
        What is wrong, in plain words (English; translated for display by :mod:`geo.i18n`).
    severity : str
        ``"error"`` (the item was rejected) or ``"warning"`` (kept, but worth a look).
    """

    source: str
    where: str
    message: str
    severity: str = "warning"

    def __str__(self) -> str:
        where = f" [{self.where}]" if self.where else ""
        return f"{self.source}{where}: {self.message}"


@dataclass
class AtlasError(Exception):
    """Base error of the atlas: a message that names the input and the problem."""

    source: str
    message: str
    where: str = ""
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        where = f" [{self.where}]" if self.where else ""
        return f"{self.source}{where}: {self.message}"


class BoundaryError(AtlasError):
    """A boundary file could not be read or normalised."""


class FetchError(BoundaryError):
    """A boundary source could not be downloaded, verified or converted (nothing was saved)."""


class DataError(AtlasError):
    """An indicator table could not be read or is inconsistent."""


class AccessDeniedError(AtlasError, PermissionError):
    """The action needs a signed-in planner (or the sign-in was refused).

    Also a :class:`PermissionError`, so callers that do not know the atlas can catch it.
    """


class StoreError(AtlasError):
    """The figure store refused an operation (nothing to import, unknown batch, wrong status)."""


class DuplicateImportError(StoreError):
    """The same file (same SHA-256, family and period) is already an active batch."""
