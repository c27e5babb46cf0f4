"""A knowledge base with restricted documents, for the access-control tests: the corpus, a public
test report, three OFFICIAL-SENSITIVE documents (marking printed) that speak to the same report and
topics, one marked at upload, and four users of different roles and clearances."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

from conftest import CORPUS

from kb.search.embed import Embedder
from kb.service import KB

ROOT = Path(__file__).resolve().parent
SECRET_WORDS = ("nightjar", "kestrel", "covert tasking", "nott")  # only ever printed in restricted documents

RESTRICTED_RESPONSE = """OFFICIAL-SENSITIVE
Force response to the HMICFRS inspection of public protection in Anyshire

Date: 1 December 2026

Recommendation 1
By 31 May 2027, forces should make sure a dedicated officer monitors offenders subject to civil orders, including stalking protection orders, and reviews breaches promptly.

Response: This recommendation is complete. Operation Nightjar now assigns a dedicated officer to every stalking protection order, and the Nightjar Offender Tasking Team (NOTT) reviews each breach within 24 hours.

OFFICIAL-SENSITIVE
"""

RESTRICTED_REPORT = """Protective marking: OFFICIAL-SENSITIVE
HMICFRS inspection of covert tasking in Anyshire

Published 20 November 2026

Recommendations

Recommendation 1
By 30 April 2027, the force should make sure covert tasking of informants under Operation Nightjar is authorised by a superintendent.

Recommendation 2
By 30 April 2027, the force should review the Nightjar tasking records every quarter.
"""

RESTRICTED_FOI = """OFFICIAL - SENSITIVE
Freedom of Information Act 2000 - Disclosure Log
Our ref: FOI 1310/2025
Date received: 03/03/2025
Date of response: 28/03/2025

Q1 Does the force use a risk tool to choose which domestic abuse perpetrators are managed as high harm?
A1 Yes. Nightjar analysts choose perpetrators for high-harm management with the Kestrel matrix.
"""

UPLOADED = """Kestrel protocol for victim contact

Kestrel officers call every stalking victim within 48 hours of a report and record the call.
"""


RESTRICTED_NAMES = ("force-response-anyshire-public-protection-2026.txt", "hmicfrs-covert-tasking-anyshire-2026.txt",
                    "foi-1310-2025-risk-tool.txt", "kestrel-protocol.txt")
RESTRICTED_TITLES = ("Force response to the HMICFRS inspection of public protection in Anyshire", "HMICFRS inspection of covert tasking in Anyshire",
                     "Kestrel protocol for victim contact")
PASSWORDS = {"Olive Hart": "password-olive", "Sam Reid": "password-sam", "Ed Jones": "password-ed", "Ada Khan": "password-ada"}


def build_restricted(root: Path, embedder: Embedder) -> KB:
    """The corpus, the draft test report, three restricted documents (marking printed) and one marked at upload."""
    docs = root / "docs"
    shutil.copytree(CORPUS, docs)
    shutil.copy(ROOT / "data" / "draft" / "hmicfrs-test-report-2026.md", docs)
    (docs / "force-response-anyshire-public-protection-2026.txt").write_text(RESTRICTED_RESPONSE)
    (docs / "hmicfrs-covert-tasking-anyshire-2026.txt").write_text(RESTRICTED_REPORT)
    (docs / "foi-1310-2025-risk-tool.txt").write_text(RESTRICTED_FOI)
    knowledge = KB(home=str(root / "home"), embedder=embedder)
    reports = knowledge.ingest([docs])
    assert all(r.status == "added" for r in reports), [(r.name, r.error) for r in reports]
    upload = root / "kestrel.txt"
    upload.write_text(UPLOADED)
    (added,) = knowledge.add_files([("kestrel-protocol.txt", str(upload))], marking="OFFICIAL-SENSITIVE")
    assert added.status == "added" and added.marking == "OFFICIAL-SENSITIVE"
    users = knowledge.users
    users.add("Olive Hart", "viewer", "password-olive")  # OFFICIAL clearance (the default)
    users.add("Sam Reid", "viewer", "password-sam", clearance="OFFICIAL-SENSITIVE")
    users.add("Ed Jones", "editor", "password-ed")
    users.add("Ada Khan", "admin", "password-ada", clearance="OFFICIAL-SENSITIVE")
    return knowledge


def leaks(value: Any) -> list[str]:
    """The restricted words found anywhere in a result (dataclasses, dicts, lists, strings)."""
    def strip(v: Any) -> Any:  # what the reader typed is not a leak
        if is_dataclass(v) and not isinstance(v, type):
            v = asdict(v)
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k not in ("query", "question")}
        if isinstance(v, list | tuple):
            return [strip(x) for x in v]
        return v

    text = json.dumps(strip(value), default=str).lower()
    return [w for w in SECRET_WORDS if w in text]

