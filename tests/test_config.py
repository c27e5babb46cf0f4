"""Config: env vars and overrides, validation, and a README that documents every setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.config import describe, load_config
from kb.errors import ConfigError

README = Path(__file__).resolve().parent.parent / "README.md"


def test_env_then_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KB_HOME", str(tmp_path / "env-home"))
    monkeypatch.setenv("KB_CHUNK_TOKENS", "150")
    cfg = load_config()
    assert cfg.home == tmp_path / "env-home" and cfg.chunk_tokens == 150
    cfg = load_config(home=str(tmp_path / "flag-home"))
    assert cfg.home == tmp_path / "flag-home"
    assert cfg.db_path == tmp_path / "flag-home" / "kb.sqlite"


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="chunk_tokens"):
        load_config(chunk_tokens=400)
    monkeypatch.setenv("KB_PORT", "lots")
    with pytest.raises(ConfigError, match="KB_PORT must be a whole number"):
        load_config()
    with pytest.raises(ConfigError, match="unknown setting"):
        load_config(colour="blue")


def test_readme_documents_every_setting() -> None:
    text = README.read_text()
    for name, env, _default, _help in describe():
        assert f"`{env}`" in text, f"README.md does not document {env} ({name})"


def test_the_dense_weight_is_a_number_in_range(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from kb.config import load_config
    from kb.errors import ConfigError
    from kb.search.hybrid import rrf

    assert load_config().dense_weight == 0.5 and load_config().rrf_k == 5
    monkeypatch.setenv("KB_DENSE_WEIGHT", "0.25")
    assert load_config().dense_weight == 0.25
    for bad in ("heavy", "-1"):
        monkeypatch.setenv("KB_DENSE_WEIGHT", bad)
        with pytest.raises(ConfigError, match="KB_DENSE_WEIGHT|dense_weight"):
            load_config()
    # the lexical first outranks the dense first when dense weighs less; equal weights tie and go to the first ranking's item
    assert rrf([["lex", "b"], ["den", "c"]], 5, [1.0, 0.3])[0][0] == "lex"
    assert [i for i, _ in rrf([["b", "a"], ["a", "b"]], 5)] == ["b", "a"]
