"""Search: the embedder, the vector index, lexical and hybrid search, fusion, rerank and the glossary."""
