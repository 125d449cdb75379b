"""Machine tests run on their own handlers: installed ones (the real LLM...) are ignored."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_installed_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHER_DISABLE_HANDLERS", "*")
