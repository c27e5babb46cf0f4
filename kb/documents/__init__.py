"""Documents: the ingest pipeline, the documents a user may see, sources and uploads."""
