"""Written answers: a stand-in LLM server on 127.0.0.1 answers in the OpenAI format, including a
fabricated quote, a wrong source number, an uncited sentence and an unsupported paraphrase; the
verifier must keep only what the sources support."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from conftest import FOI

from kb.search.embed import Embedder
from kb.service import KB
from kb.answers.verify import check, split

REQUESTS: list[dict] = []


def _reply(sources: dict[int, str]) -> str:
    good = next(n for n, text in sources.items() if "divisional MOSOVO" in text)
    return (
        f'Offenders in the high harm category are "managed within divisional MOSOVO (Management of Sexual Or Violent Offenders) '
        f'and IOM (Integrated Offender Management) teams" [{good}]. '
        f'The force "has a dedicated high-harm unit in every division" [{good}]. '
        "Offenders are also reviewed by the national team [9]. "
        "The force is the best in Wales. "
        f"The weather in Carmarthen is usually mild in spring [{good}]."
    )


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        REQUESTS.append(body)
        user = body["messages"][-1]["content"]
        sources = {int(m.group(1)): m.group(2) for m in re.finditer(r"\[(\d+)\] (.*?)(?=\n\n\[\d+\] |\n\nQuestion:)", user, re.S)}
        content = _reply(sources) if "high-harm" in user.lower() or "high harm" in user.lower() else "Not found in the indexed documents."
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def llm_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_verifier_keeps_only_supported_sentences(corpus_kb: KB, llm_server: str, embedder: Embedder) -> None:
    kb = KB(home=str(corpus_kb.config.home), embedder=embedder, llm_url=llm_server)
    a = kb.ask("Which teams manage high-harm offenders if there is no specialist unit?")
    assert a.mode == "generative" and not a.abstained
    assert REQUESTS and REQUESTS[-1]["messages"][0]["role"] == "system" and "[1]" in REQUESTS[-1]["messages"][1]["content"]
    assert a.answer.startswith("Offenders in the high harm category") and "[1]" in a.answer
    assert "dedicated high-harm unit" not in a.answer and "national team" not in a.answer and "best in Wales" not in a.answer
    assert "weather" not in a.answer
    reasons = {d["why"].split(":")[0].split(" (")[0] for d in a.dropped}
    assert reasons == {"quotes words not in the cited source", "cites a source that does not exist", "no citation",
                       "not supported by the cited source"}
    assert len(a.citations) == 1 and a.citations[0].doc == FOI and a.citations[0].verified
    assert "divisional MOSOVO" in a.citations[0].quote
    assert kb.source_text(FOI)[a.citations[0].start:a.citations[0].end] == a.citations[0].quote


def test_quotes_only_and_abstention_with_an_llm(corpus_kb: KB, llm_server: str, embedder: Embedder) -> None:
    kb = KB(home=str(corpus_kb.config.home), embedder=embedder, llm_url=llm_server)
    assert kb.ask("Which teams manage high-harm offenders?", written=False).mode == "extractive"
    n = len(REQUESTS)
    a = kb.ask("How many drones does the force own?")
    assert a.abstained and len(REQUESTS) == n  # no passage close enough: the LLM is not even asked


def test_unreachable_llm_falls_back_to_quotes(corpus_kb: KB, embedder: Embedder) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    kb = KB(home=str(corpus_kb.config.home), embedder=embedder, llm_url=f"http://127.0.0.1:{port}/v1", llm_timeout=5)
    a = kb.ask("Which teams manage high-harm offenders if there is no specialist unit?")
    assert a.mode == "extractive" and a.citations and "did not answer" in a.warning


def test_check_is_pure() -> None:
    sources = ["The MOSOVO team manages registered sex offenders.", "IOM works with probation."]
    same = lambda text, texts: 0.9 if "MOSOVO" in text else 0.1  # noqa: E731
    out = check('The "MOSOVO team manages registered sex offenders" [1]. It works with "probation" [2]. Unsupported claim [1]. Odd claim [3].', sources, same)
    assert [s for s, _ in out.kept] == ['The "MOSOVO team manages registered sex offenders".', 'It works with "probation".']
    assert [why for _, why in out.dropped] == ["not supported by the cited source", "cites a source that does not exist ([3])"]
    assert split("One [1]. Two [2] [3]. Three") == ["One [1].", "Two [2] [3].", "Three"]


def test_readme_mentions_llm_settings() -> None:
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "KB_LLM_URL" in text
