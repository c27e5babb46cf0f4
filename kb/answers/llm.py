"""An optional local LLM, through llama-index's LLM interface, for written (generative) answers.

It talks to a server the user already runs on their own machine or network: any
OpenAI-compatible endpoint (Ollama's /v1, llama.cpp server, vLLM, LM Studio). Nothing here
reaches the internet on its own, and no global llama-index ``Settings`` are used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, CompletionResponse, CompletionResponseGen, LLMMetadata, MessageRole
from llama_index.core.llms import CustomLLM

from kb.errors import LLMError



class LocalOpenAICompatible(CustomLLM):
    """Chat completions from an OpenAI-compatible server at ``base_url`` (e.g. http://127.0.0.1:11434/v1)."""

    base_url: str
    model: str = "local"
    timeout: float = 120.0
    temperature: float = 0.0

    @property
    def metadata(self) -> LLMMetadata:
        """What llama-index needs to know of the model."""
        return LLMMetadata(model_name=self.model, is_chat_model=True)

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """One chat completion."""
        payload = {"model": self.model, "temperature": self.temperature, "stream": False,
                   "messages": [{"role": m.role.value, "content": m.content or ""} for m in messages]}
        url = self.base_url.rstrip("/") + "/chat/completions"
        try:
            r = httpx.post(url, json=payload, timeout=self.timeout)
            r.raise_for_status()
            content = r.json()["choices"][0]["message"]["content"]
        except httpx.HTTPError as exc:
            raise LLMError(f"the LLM server at {self.base_url} did not answer ({exc.__class__.__name__}: {exc})") from exc
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise LLMError(f"the LLM server at {self.base_url} sent an answer in an unexpected form") from exc
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=content or ""))

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """A completion, as a one-message chat."""
        return CompletionResponse(text=self.chat([ChatMessage(role=MessageRole.USER, content=prompt)]).message.content or "")

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        """Not streamed: the whole answer at once (it is verified as a whole before it is shown)."""
        response = self.complete(prompt)

        def gen() -> CompletionResponseGen:
            yield response

        return gen()


SYSTEM = (
    "You answer questions for staff of a Police and Crime Commissioner's office using ONLY the numbered sources given. "
    "Every sentence you write must end with the number of the source that supports it, in square brackets, like [2]. "
    "Prefer quoting the source's exact words inside double quotes. If the sources do not answer the question, reply exactly: "
    "Not found in the indexed documents."
)


def prompt(question: str, sources: list[str]) -> list[ChatMessage]:
    """The messages: instructions, then the numbered sources and the question."""
    numbered = "\n\n".join(f"[{i}] {text}" for i, text in enumerate(sources, start=1))
    return [ChatMessage(role=MessageRole.SYSTEM, content=SYSTEM),
            ChatMessage(role=MessageRole.USER, content=f"Sources:\n\n{numbered}\n\nQuestion: {question}")]
