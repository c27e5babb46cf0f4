"""Vectors in Chroma, through llama-index's ChromaVectorStore; ids are chunk ids.

Embeddings are always computed by us and passed in: Chroma is never allowed to embed text
(it would try to download its own model). The embedded PersistentClient lives in the data
home; a Chroma server is used instead when ``chroma_host`` is set.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from kb.config import Config
from kb.errors import StoreError
from kb.store.locks import open_lock

log = logging.getLogger(__name__)

COLLECTION = "kb_chunks"
# A Chroma server that accepts connections but never answers would otherwise hang the app:
# chromadb's HTTP client waits forever.
CONNECT_TIMEOUT = 5.0  # seconds to reach the server and get its heartbeat
REQUEST_TIMEOUT = 120.0  # seconds for any later request (a large batch of vectors)


class VectorIndex:
    """The chunk vectors of a data home."""

    def __init__(self, config: Config) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        self.where = f"the Chroma server at {config.chroma_host}:{config.chroma_port}" if config.chroma_host else str(config.chroma_path)
        try:
            if config.chroma_host:
                _probe(config.chroma_host, config.chroma_port)
                self.client = chromadb.HttpClient(host=config.chroma_host, port=config.chroma_port, settings=settings)
                _limit_waits(self.client)
            else:
                config.chroma_path.mkdir(parents=True, exist_ok=True)
                with open_lock(config.chroma_path):  # two processes creating one new embedded Chroma at once: one sets it up, the other waits
                    self.client = chromadb.PersistentClient(path=str(config.chroma_path), settings=settings)
                    self.collection = self._collection(config)
            if config.chroma_host:
                self.collection = self._collection(config)
            batch = int(self.client.get_max_batch_size())
        except StoreError:
            raise
        except Exception as exc:  # chromadb raises many types for an unreachable server or bad folder
            raise StoreError(f"cannot open the vector store ({self.where}): {exc}") from exc
        space = _space(self.collection)
        if space != "cosine":  # get_or_create keeps an existing collection's settings: scores would be silently wrong
            raise StoreError(f"the vector collection '{config.chroma_collection}' in {self.where} measures '{space}' distance, not cosine; "
                             f"it was not made by this app: use another Chroma server (or data home) for the knowledge base")
        self._batch = batch
        self._store: Any = None

    def _collection(self, config: Config) -> Any:
        # embedding_function=None: Chroma must never embed (its default fetches a model)
        return self.client.get_or_create_collection(config.chroma_collection, embedding_function=None, metadata={"hnsw:space": "cosine"})

    @property
    def store(self) -> Any:
        """llama-index's ChromaVectorStore over the collection, made on the first write: a search
        queries the collection itself and need not import llama-index (~2 s on a cold start)."""
        if self._store is None:
            self._store = _batched_store(self.collection, self._batch)
        return self._store

    @contextmanager
    def connection_errors(self) -> Iterator[None]:
        """Turn a Chroma server that stopped answering (or refused a request) into a StoreError naming it.

        For the methods that talk to the server after it was opened: without this, a server that
        went away shows the user a raw ``httpx.ConnectError``.
        """
        import httpx
        from chromadb.errors import ChromaError

        try:
            yield
        except httpx.TimeoutException as exc:
            raise StoreError(f"{self.where} did not answer within {REQUEST_TIMEOUT:g} seconds; check that it is running and not overloaded, then try again") from exc
        except httpx.TransportError as exc:
            raise StoreError(f"lost the connection to {self.where} ({exc}); check that it is still running, then try again") from exc
        except ChromaError as exc:
            raise StoreError(f"the vector store ({self.where}) refused the request: {exc}") from exc

    def count(self) -> int:
        """Number of vectors stored."""
        with self.connection_errors():
            return int(self.collection.count())

    def ids(self) -> set[str]:
        """Every vector id (for orphan checks)."""
        out: set[str] = set()
        offset, page = 0, 5000
        with self.connection_errors():
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
        self.delete(self.present(ids))  # replace only what is there: a delete costs as much for an absent id
        nodes: list[BaseNode] = [TextNode(id_=i, text=t, embedding=e, metadata=m) for i, e, t, m in zip(ids, embeddings, texts, metadatas, strict=False)]
        with self.connection_errors():
            self.store.add(nodes)

    def delete(self, ids: list[str]) -> None:
        """Remove vectors by id; unknown ids are ignored."""
        with self.connection_errors():
            for i in range(0, len(ids), 5000):
                self.store.delete_nodes(node_ids=ids[i:i + 5000])

    def query(self, embedding: list[float], k: int, doc_keys: list[int] | None = None, ids: list[str] | None = None) -> list[tuple[str, float]]:
        """Top-k (chunk id, cosine similarity), optionally only among some chunk ids or within some documents.

        Queries the collection directly for ids and distances only: llama-index's query builds a
        node (parsing its stored JSON) for every result, which dominated a 1,000-neighbour search.
        Asking for more results than there are vectors is fine (Chroma returns what it has)."""
        if k <= 0 or (doc_keys is not None and not doc_keys) or (ids is not None and not ids):
            return []
        kwargs: dict[str, Any] = {}
        if doc_keys is not None:
            kwargs["where"] = {"doc_key": {"$in": doc_keys}}
        if ids is not None:
            kwargs["ids"] = ids
        from chromadb.errors import ChromaError

        query: list[Any] = [embedding]
        with self.connection_errors():
            try:
                res = self.collection.query(query_embeddings=query, n_results=k, include=["distances"], **kwargs)
            except ChromaError:
                if ids is None:
                    raise
                # Chroma refuses the whole query when one id has no vector: passages whose vectors another
                # process is writing (this process's Chroma does not see them yet) or an interrupted ingest lost
                kwargs["ids"] = self.present(ids)
                log.warning("%d of %d passages have no vector here yet (an ingest elsewhere, or one interrupted): searching the rest",
                            len(ids) - len(kwargs["ids"]), len(ids))
                if not kwargs["ids"]:
                    return []
                res = self.collection.query(query_embeddings=query, n_results=k, include=["distances"], **kwargs)
        found, distances = (res.get("ids") or [[]])[0], (res.get("distances") or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(found, distances, strict=False)]  # cosine distance is 1 - similarity

    def present(self, ids: list[str]) -> list[str]:
        """Those of some ids that have a vector."""
        out: list[str] = []
        with self.connection_errors():
            for i in range(0, len(ids), 2000):
                out += self.collection.get(ids=ids[i:i + 2000], include=[])["ids"]
        return out

    def get(self, ids: list[str], page: int = 2000) -> dict[str, tuple[list[float], dict[str, Any]]]:
        """Stored vectors with their metadata, by id (for backups); unknown ids are left out."""
        out: dict[str, tuple[list[float], dict[str, Any]]] = {}
        with self.connection_errors():
            for i in range(0, len(ids), page):
                got = self.collection.get(ids=ids[i:i + page], include=["embeddings", "metadatas"])
                embeddings = got["embeddings"] if got["embeddings"] is not None else []
                for vid, emb, meta in zip(got["ids"], embeddings, got["metadatas"] or [], strict=False):
                    out[vid] = ([float(x) for x in emb], dict(meta or {}))
        return out


def _probe(host: str, port: int) -> None:
    """Raise StoreError, naming host:port and what to do, unless a Chroma server answers its heartbeat there."""
    import httpx

    where = f"{host}:{port}"
    url_host = f"[{host}]" if ":" in host else host  # an IPv6 address
    try:
        reply = httpx.get(f"http://{url_host}:{port}/api/v2/heartbeat", timeout=CONNECT_TIMEOUT)
    except httpx.TimeoutException:
        raise StoreError(f"the Chroma server at {where} did not answer within {CONNECT_TIMEOUT:g} seconds; "
                         "check that it is running and not overloaded (KB_CHROMA_HOST, KB_CHROMA_PORT)") from None
    except httpx.HTTPError as exc:
        raise StoreError(f"no Chroma server answers at {where} ({exc}); start it with `chroma run --path FOLDER --host {host} --port {port}`, "
                         "or check KB_CHROMA_HOST and KB_CHROMA_PORT (leave KB_CHROMA_HOST empty to keep vectors in the data home)") from None
    if reply.status_code != 200 or "heartbeat" not in reply.text:
        raise StoreError(f"something answers at {where}, but not a Chroma server this app can use (HTTP {reply.status_code} for its heartbeat); "
                         "check KB_CHROMA_PORT, and that the server runs Chroma 1.x (`chroma run`)")


def _limit_waits(client: Any) -> None:
    """Give the HTTP client's requests a time limit (chromadb sets none and offers no setting for it)."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(REQUEST_TIMEOUT, connect=CONNECT_TIMEOUT)
    else:
        log.warning("could not set a time limit on the Chroma client's requests (chromadb changed); a hung server may block")


def _space(collection: Any) -> str:
    """The distance a collection measures: 'cosine', 'l2' or 'ip'."""
    hnsw = (getattr(collection, "configuration", None) or {}).get("hnsw") or {}
    return str(hnsw.get("space") or (collection.metadata or {}).get("hnsw:space") or "l2")


def _batched_store(collection: Any, batch: int) -> Any:
    """A ChromaVectorStore whose writes are split into batches the Chroma client accepts.

    llama-index sends up to 41,665 vectors in one call, but Chroma (embedded or server) refuses
    more than ``client.get_max_batch_size()`` (5,461 in chromadb 1.5): a long document would fail.
    """
    from llama_index.core.schema import BaseNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    class BatchedChromaVectorStore(ChromaVectorStore):
        def add(self, nodes: Sequence[BaseNode], **add_kwargs: Any) -> list[str]:
            ids: list[str] = []
            for start in range(0, len(nodes), batch):
                ids.extend(super().add(list(nodes[start:start + batch]), **add_kwargs))
            return ids

    return BatchedChromaVectorStore(chroma_collection=collection)  # type: ignore[call-arg]  # mypy misses ChromaVectorStore's own __init__
