"""The OpenAI-compatible embeddings path over real HTTP against a local server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from copilot.config import get_settings
from knowledge.embeddings import EmbeddingServiceError, HashingEmbedder, OpenAIEmbedder
from knowledge.index import KnowledgeBase

REQUESTS: list[dict] = []


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        REQUESTS.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        if body["model"] == "broken":
            self.send_response(500)
            self.end_headers()
            return
        vectors = HashingEmbedder(64).embed(body["input"]).tolist()  # meaningful, deterministic
        data = [{"object": "embedding", "index": i, "embedding": v}
                for i, v in reversed(list(enumerate(vectors)))]  # out of order on purpose
        payload = json.dumps({"object": "list", "data": data, "model": body["model"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    REQUESTS.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


def test_index_and_search_through_an_openai_compatible_endpoint(
    server: str, playbook_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COPILOT_EMBEDDING_BASE_URL", server)
    monkeypatch.setenv("COPILOT_EMBEDDING_MODEL", "bge-m3")
    monkeypatch.setenv("COPILOT_EMBEDDING_API_KEY", "sk-test")
    kb = KnowledgeBase.from_settings(get_settings())
    kb.index_folder(playbook_dir)
    assert kb.collection.name == "playbooks-v2-oa-bge-m3"
    assert kb.search("生日礼物", k=1, mode="dense")[0].playbook == "birthday"
    assert REQUESTS[0]["path"] == "/v1/embeddings" and REQUESTS[0]["auth"] == "Bearer sk-test"
    assert REQUESTS[0]["model"] == "bge-m3" and isinstance(REQUESTS[0]["input"], list)


def test_endpoint_failure_is_a_clear_error(server: str) -> None:
    with pytest.raises(EmbeddingServiceError, match="向量服务"):
        OpenAIEmbedder(server, "broken").embed(["x"])


def test_unreachable_chroma_server_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from copilot.errors import UserError

    monkeypatch.setenv("COPILOT_CHROMA_URL", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(UserError, match="无法连接 Chroma"):
        KnowledgeBase.from_settings(get_settings())
