"""Where the tests find the repository and the shared data beside it (``../shared``)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
#: Real boundary layers and pinned public sources, laid beside the repository (read only).
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
