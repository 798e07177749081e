"""Data sources: explicit folder, cache, verified download from a local HTTP server."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import write_lareqa

from xir_bench.cards import get_task_card
from xir_bench.data.sources import cache_root, resolve_files
from xir_bench.data.tasks import load_task
from xir_bench.errors import DataNotFoundError


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTP server on 127.0.0.1 serving a folder; yields (base URL, folder)."""
    root = tmp_path / "served"
    root.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # shutdown() waits for the loop's next poll: 0.5 s by default, for every test that serves
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()


def _allow_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the downloader run; every test that calls this serves files from 127.0.0.1."""
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.delenv("XIR_BENCH_OFFLINE")


def _card_with_sums(served: Path, langs: tuple[str, ...]):
    card = get_task_card("xquad-r")
    sums = dict(card.source.sha256)
    for lang in langs:
        sums[lang] = hashlib.sha256((served / "lareqa" / "xquad-r" / f"{lang}.json").read_bytes()).hexdigest()
    return card.model_copy(update={"source": card.source.model_copy(update={"sha256": sums})})


def test_download_verifies_and_fills_cache(server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _allow_network(monkeypatch)
    base, served = server
    write_lareqa(served, languages=("de", "en"))
    card = _card_with_sums(served, ("de", "en"))
    paths = resolve_files(card, ["de", "en"], base_url=base)
    assert paths["en"] == cache_root() / "data" / "lareqa" / "xquad-r" / "en.json"
    assert paths["en"].read_bytes() == (served / "lareqa" / "xquad-r" / "en.json").read_bytes()
    # Second call: served from the cache, even with the server's files gone.
    for file in (served / "lareqa" / "xquad-r").iterdir():
        file.unlink()
    assert resolve_files(card, ["de", "en"], base_url=base) == paths


def test_checksum_mismatch_keeps_nothing(server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _allow_network(monkeypatch)
    base, served = server
    write_lareqa(served, languages=("en",))
    card = get_task_card("xquad-r")  # the real checksums: the synthetic file does not match
    with pytest.raises(DataNotFoundError, match=r"has SHA-256 .* expected 7b0954f3"):
        resolve_files(card, ["en"], base_url=base)
    folder = cache_root() / "data" / "lareqa" / "xquad-r"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_unreachable_server_names_the_files(monkeypatch: pytest.MonkeyPatch) -> None:
    _allow_network(monkeypatch)
    card = get_task_card("xquad-r")
    with pytest.raises(DataNotFoundError) as info:
        resolve_files(card, ["en", "de"], base_url="http://127.0.0.1:9")
    text = str(info.value)
    assert "lareqa/xquad-r/en.json" in text and "lareqa/xquad-r/de.json" in text and "--data-dir" in text


def test_offline_error_without_network_attempt() -> None:
    with pytest.raises(DataNotFoundError, match="no local copy and no download \\(offline\\)"):
        load_task("mlqa-r", ["en"])


def test_data_dir_env_and_missing_file(tiny_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIR_BENCH_DATA_DIR", str(tiny_data))
    assert load_task("xquad-r", ["en"]).n_queries == 5
    with pytest.raises(DataNotFoundError, match=r"(?s)missing in data folder .*lareqa/xquad-r/zh\.json"):
        load_task("xquad-r", ["en", "zh"])
