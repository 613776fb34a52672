"""Fixtures of the geography tests: fetching never leaves this machine."""

from __future__ import annotations

import urllib.parse
import urllib.request

import pytest

from geo.geography import download as download_module
from geo.geography.sources import MIRROR_ENV


@pytest.fixture(autouse=True)
def only_localhost(monkeypatch):
    """Tests never reach the internet: every URL opened must be 127.0.0.1 or a local file."""
    monkeypatch.delenv(MIRROR_ENV, raising=False)
    real = urllib.request.urlopen

    def guarded(request, *args, **kwargs):
        url = request.full_url if isinstance(request, urllib.request.Request) else request
        parts = urllib.parse.urlparse(url)
        assert parts.scheme == "file" or parts.hostname == "127.0.0.1", url
        return real(request, *args, **kwargs)

    monkeypatch.setattr(download_module.urllib.request, "urlopen", guarded)
