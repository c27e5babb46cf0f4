"""Vectors in Chroma, through llama-index's ChromaVectorStore; ids are chunk ids.

Embeddings are always computed by us and passed in: Chroma is never allowed to embed text
(it would try to download its own model). The embedded PersistentClient lives in the data
home; a Chroma server is used instead when ``chroma_host`` is set.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from kb.config import Config
from kb.errors import StoreError

log = logging.getLogger(__name__)

COLLECTION = "kb_chunks"


class VectorIndex:
    """The chunk vectors of a data home."""

    def __init__(self, config: Config) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from llama_index.vector_stores.chroma import ChromaVectorStore

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if config.chroma_host:
                self.client = chromadb.HttpClient(host=config.chroma_host, port=config.chroma_port, settings=settings)
            else:
                config.chroma_path.mkdir(parents=True, exist_ok=True)
                self.client = chromadb.PersistentClient(path=str(config.chroma_path), settings=settings)
            # embedding_function=None: Chroma must never embed (its default fetches a model)
            self.collection = self.client.get_or_create_collection(COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"})
        except Exception as exc:  # chromadb raises many types for an unreachable server or bad folder
            where = f"the Chroma server at {config.chroma_host}:{config.chroma_port}" if config.chroma_host else str(config.chroma_path)
            raise StoreError(f"cannot open the vector store ({where}): {exc}") from exc
        self.store = ChromaVectorStore(chroma_collection=self.collection)

    def count(self) -> int:
        """Number of vectors stored."""
        return int(self.collection.count())

    def ids(self) -> set[str]:
        """Every vector id (for orphan checks)."""
        out: set[str] = set()
        offset, page = 0, 5000
        while True:
            got = self.collection.get(include=[], limit=page, offset=offset)["ids"]
            out.update(got)
            if len(got) < page:
                return out
            offset += page

    def upsert(self, ids: list[str], embeddings: list[list[float]], texts: list[str], metadatas: list[dict[str, Any]]) -> None:
        """Write vectors by id, replacing any with the same id."""
        from llama_index.core.schema import BaseNode, TextNode

        if not ids:
            return
        self.delete(ids)
        nodes: list[BaseNode] = [TextNode(id_=i, text=t, embedding=e, metadata=m) for i, e, t, m in zip(ids, embeddings, texts, metadatas, strict=False)]
        self.store.add(nodes)

    def delete(self, ids: list[str]) -> None:
        """Remove vectors by id; unknown ids are ignored."""
        for i in range(0, len(ids), 5000):
            self.store.delete_nodes(node_ids=ids[i:i + 5000])

    def query(self, embedding: list[float], k: int, doc_keys: list[int] | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk id, cosine similarity), optionally only within some documents."""
        from llama_index.core.vector_stores.types import VectorStoreQuery

        n = self.count()
        if n == 0 or k <= 0 or (doc_keys is not None and not doc_keys):
            return []
        kwargs: dict[str, Any] = {}
        if doc_keys is not None:
            kwargs["where"] = {"doc_key": {"$in": doc_keys}}
        res = self.store.query(VectorStoreQuery(query_embedding=embedding, similarity_top_k=min(k, n)), **kwargs)
        # llama-index reports exp(-distance); Chroma's cosine distance is 1 - similarity
        return [(i, 1.0 + math.log(s) if s > 0 else -1.0) for i, s in zip(res.ids or [], res.similarities or [], strict=False)]
