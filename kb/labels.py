"""Plain-English words for the codes the library keeps: what a person reads in the app, the CLI's
tables and the board report. JSON and exports keep the codes; this is the one place they are worded.
"""

from __future__ import annotations

from typing import Any

KIND_LABELS = {
    "inspection_report": "Inspection report", "pcc_response": "PCC response", "force_response": "Force response",
    "foi_disclosure": "FOI disclosure", "guidance": "Guidance", "other": "Other",
}

STATUS_LABELS = {
    "not_started": "Not started",
    "planned": "Planned",
    "in_progress": "In progress",
    "complete": "Complete",
    "superseded": "Superseded",
    "not_applicable": "Not applicable",
    "unknown": "Not known",
}

# a complete is closed only once someone other than its proposer has verified it
VERIFICATION_LABELS = {
    "awaiting": "Complete, awaiting verification",
    "verified": "Complete, verified",
}

FOI_STATUS_LABELS = {
    "open": "Open",
    "awaiting_clarification": "Awaiting clarification (clock stopped)",
    "awaiting_fee": "Awaiting fee (clock stopped)",
    "extended": "Open, public-interest extension",
    "responded": "Responded",
    "under_review": "Internal review",
    "review_decided": "Internal review decided",
    "withdrawn": "Withdrawn",
}

OUTCOME_LABELS = {
    "disclosed_in_full": "Disclosed in full",
    "disclosed_in_part": "Disclosed in part",
    "refused": "Refused",
    "not_held": "Information not held",
    "neither_confirm_nor_deny": "Neither confirmed nor denied",
    "unknown": "Not known",
}


def status_label(status: str, verification: str = "") -> str:
    """How a person reads a recommendation's status: "In progress", "Complete, verified"."""
    if status == "complete" and verification in VERIFICATION_LABELS:
        return VERIFICATION_LABELS[verification]
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def row_status_label(row: dict[str, Any]) -> str:
    """The label of a register row."""
    return status_label(row["status"], row.get("verification") or "")


CHANGE_WORDS = {"verification": {"awaiting": "awaiting verification", "verified": "verified", "returned": "sent back"}}


def value_label(field: str, value: str | None) -> str:
    """A value in a recommendation's history as a person reads it ("In progress", "sent back"); "-" for none."""
    if value in (None, ""):
        return "-"
    if field == "status":
        return STATUS_LABELS.get(value, value)
    return CHANGE_WORDS.get(field, {}).get(value, value)


def outcome_label(outcome: str | None) -> str:
    """How a person reads an FOI outcome."""
    return OUTCOME_LABELS.get(outcome or "unknown", (outcome or "").replace("_", " ").capitalize())
