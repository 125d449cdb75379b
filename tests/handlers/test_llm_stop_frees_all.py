"""Stopping the LLM frees every model this process loaded, whatever ``llm.json`` says now:
the machine records the LLM stopped before GPU-heavy work, so that must be true."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import handlers.llm as llm_handlers
from handlers.llm_model import LLMConfig
from handlers.llm_service import LLMService


class _Loaded:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class _Ctx:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.events: list[Any] = []

    def event(self, payload: Any) -> Any:
        self.events.append(payload)
        return payload


@pytest.mark.parametrize("llm_json", ['{"n_ctx": 4096}', "{ broken", None])
def test_stop_frees_every_loaded_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, llm_json: str | None
) -> None:
    services: dict[LLMConfig, LLMService] = {}
    monkeypatch.setattr(llm_handlers, "_SERVICES", services)
    loaded = []
    for n_ctx in (2048, 1024):  # started under an llm.json edited since
        service = LLMService(LLMConfig(n_ctx=n_ctx))
        model = _Loaded()
        service._llm = model
        services[service.config] = service
        loaded.append(model)
    if llm_json is not None:
        (tmp_path / "llm.json").write_text(llm_json)
    ctx = _Ctx(tmp_path)
    (event,) = llm_handlers.stop_llm(object(), ctx)
    assert all(model.closed for model in loaded)
    assert not any(s.running for s in services.values())
    assert event.was_running
