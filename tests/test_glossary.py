"""The corpus glossary: pairs found both ways, and queries expanded both ways."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import CORPUS, CSA, FOI

from ingest import understand
from ingest.glossary import find_pairs, long_form
from kb.search.glossary import Glossary
from kb.search.hybrid import fts_query
from kb.service import KB


def test_pairs_in_both_orders() -> None:
    text = ("Views of the MAPPA (Multi-Agency Public Protection Arrangements) and the Paedophile Online Investigation Team (POLIT). "
            "All RSOs (Registered Sex Offender) are assessed. DASH/SASH/S-DASH (Domestic Abuse, Stalking, Harassment, Honour-based violence).")
    pairs = dict(find_pairs(text))
    assert pairs["MAPPA"] == "Multi-Agency Public Protection Arrangements"
    assert pairs["POLIT"] == "Paedophile Online Investigation Team"
    assert pairs["RSO"] == "Registered Sex Offender"
    assert pairs["DASH"] == "Domestic Abuse, Stalking, Harassment, Honour-based violence"
    assert "SASH" not in pairs  # its letters do not spell that expansion


def test_no_false_pairs() -> None:
    assert find_pairs("factors (e.g., prior convictions) and the force (as above) in 2024 (see page 3)") == []
    assert long_form("ABC", "nothing matches here") is None


def test_seed_glossaries() -> None:
    assert dict(understand(CORPUS / CSA).glossary)["KIRAT"] == "Kent Internet Risk Assessment Tool"
    foi = dict(understand(CORPUS / FOI).glossary)
    assert foi["MOSOVO"] == "Management of Sexual Or Violent Offenders" and foi["SRP"] == "Stalking Risk Profile"


def test_expansion_both_ways() -> None:
    g = Glossary.from_rows([("KIRAT", "Kent Internet Risk Assessment Tool", 1), ("IOM", "Integrated Offender Management", 2),
                            ("ARMS", "Active Risk Management System", 1)])
    assert g.expand("how is KIRAT used?") == [("KIRAT", "Kent Internet Risk Assessment Tool")]
    assert g.expand("what does the kent internet risk assessment tool do") == [("Kent Internet Risk Assessment Tool", "KIRAT")]
    assert g.expand("iom teams") == [("iom", "Integrated Offender Management")]
    assert g.expand("officers carry arms") == []  # an ordinary word, not typed as an acronym
    assert g.expand("ARMS assessments") == [("ARMS", "Active Risk Management System")]
    assert fts_query("KIRAT use", ["Kent Internet Risk Assessment Tool"]) == '"kirat" OR "use" OR "kent internet risk assessment tool"'


def test_glossary_from_the_index_and_cli(corpus_kb: KB) -> None:
    rows = {a: e for a, e, _ in corpus_kb.glossary()}
    assert rows["KIRAT"] == "Kent Internet Risk Assessment Tool" and "MARAC" in rows and "IOM" in rows
    out = subprocess.run([str(Path(sys.executable).parent / "kb"), "--home", str(corpus_kb.config.home), "glossary"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "KIRAT      Kent Internet Risk Assessment Tool" in out.stdout
    # an acronym query finds the passage that spells it out, in dense and lexical signals
    hits = corpus_kb.search("Paedophile Online Investigation Team referrals", k=3)
    assert any(h.doc == CSA and "POLIT" in h.text for h in hits)
