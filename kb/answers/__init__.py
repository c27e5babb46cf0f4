"""Answers: quoted, cited answers from passages, the local LLM client and the quote checks."""
