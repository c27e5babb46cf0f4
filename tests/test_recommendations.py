"""Finding recommendations and proposing statuses: pure functions, on the seeds and inline text."""

from __future__ import annotations

import pytest
from conftest import CORPUS, CSA, FOI, IOM, MAPPA, STALKING

from ingest import understand
from ingest.clean import clean
from ingest.metadata import extract_meta
from ingest.rec_fields import addressee_of, deadline_of
from ingest.recommendations import find_recommendations
from ingest.records import Recommendation, Source
from ingest.status import classify, propose
from ingest.structure import find_blocks


def recs_of(text: str, name: str = "x.md") -> list[Recommendation]:
    s = Source(path=name, name=name, format="md", text=text)
    c = clean(s)
    meta = extract_meta(c.text, name)
    return find_recommendations(c.text, find_blocks(c, s, meta.kind), meta)


def test_stalking_response_has_all_eighteen_with_both_elevens() -> None:
    recs = understand(CORPUS / STALKING).recommendations
    assert [(r.ref, r.ordinal) for r in recs] == [(str(i), 1) for i in range(1, 11)] + [("11", 1), ("11", 2)] + [(str(i), 1) for i in range(12, 18)]
    by = {(r.ref, r.ordinal): r for r in recs}
    assert by[("11", 1)].text.startswith("Work to embed the Perpetrator Prioritisation Tool")
    assert by[("11", 2)].text.startswith("Dyfed-Powys Police should seek assurance")
    assert by[("5", 1)].addressee == "hmcts" and by[("5", 1)].status == "not_applicable"
    assert by[("1", 1)].theme == "RESOURCING" and by[("17", 1)].theme == "VICTIMS"
    assert by[("2", 1)].status == "planned" and "will come to fruition in Autumn 2023" in by[("2", 1)].status_quote
    assert "In conclusion" not in by[("17", 1)].response


def test_april_2026_parts_belong_to_their_parents_with_deadlines() -> None:
    recs = understand(CORPUS / CSA).recommendations
    parents = [r.ref for r in recs if r.parent is None]
    assert parents == ["1", "2", "4", "5", "6", "8", "10", "15", "16"]
    parts = {r.ref: r for r in recs if r.parent}
    assert "".join(sorted(parts)) == "ABCDEFGHIJKLMNOPQRST"
    assert parts["A"].parent == "1" and parts["M"].parent == "8" and parts["T"].parent == "16"
    assert parts["A"].deadline == "2026-10-31" and parts["D"].deadline == "2027-04-30" and parts["H"].deadline == "2026-10-30"
    assert parts["M"].deadline == "2026-10-31"  # "within one month" in M is a standard, not its deadline
    assert all(r.addressee == "forces" for r in recs)
    # parts answered differently: A embedded, B and C ongoing; the parent takes the least advanced
    assert (parts["A"].status, parts["B"].status, parts["C"].status) == ("complete", "in_progress", "in_progress")
    rec1 = next(r for r in recs if r.ref == "1")
    assert rec1.status == "in_progress" and "remain ongoing" in rec1.status_quote
    assert parts["D"].status == "not_started" and parts["N"].status == "complete"


def test_group_addressee_applies_to_each_member() -> None:
    recs = {r.ref: r for r in understand(CORPUS / MAPPA).recommendations}
    assert list(recs) == ["14", "15", "18", "19"]
    assert recs["14"].addressee == recs["15"].addressee == "the probation service, police forces and prisons"
    assert recs["18"].addressee == recs["19"].addressee == "police forces"
    assert recs["14"].text.startswith("Category 3 referrals are made")
    assert recs["15"].status == "in_progress" and "Work is underway" in recs["15"].status_quote


def test_no_recommendations_in_guidance_or_foi() -> None:
    assert understand(CORPUS / IOM).recommendations == []
    assert understand(CORPUS / FOI).recommendations == []
    text = "FOI Reference: 12/2025\n\nRequest:\n\n1. How many recommendations did HMICFRS make?\n\nResponse 1:\n\nRecommendation 4 was about vetting.\n"
    assert recs_of(text, "foi.txt") == []


def test_other_shapes_areas_for_improvement_and_bold_numbers() -> None:
    text = """# HMICFRS PEEL inspection of Anyshire Police

## Causes of concern

Cause of concern 1

The force does not manage its response to vulnerable people well.

## Recommendations

**7.** The force should, within six months, review its call handling.

The force has implemented a new triage model.

Area for improvement 2

The force should improve how it records crime.

Work is underway to retrain staff.
"""
    recs = recs_of(text, "peel.md")
    kinds = [(r.type, r.ref) for r in recs]
    assert ("cause_of_concern", "1") in kinds and ("recommendation", "7") in kinds and ("area_for_improvement", "2") in kinds
    seven = next(r for r in recs if r.ref == "7")
    assert seven.status == "complete" and seven.addressee == "the force"
    assert next(r for r in recs if r.ref == "2").status == "in_progress"


@pytest.mark.parametrize("text,report_date,expected", [
    ("By 31 October 2026, forces should review", None, ("2026-10-31", "By 31 October 2026")),
    ("Forces should, within six months, review", "2026-04-01", ("2026-10-01", "within six months")),
    ("Forces should, within six months, review", None, (None, "within six months")),
    ("Chief constables should immediately stop", "2025-02-10", ("2025-02-10", "immediately")),
    ("review within 12 months of implementation", "2026-04-01", (None, None)),
])
def test_deadlines(text: str, report_date: str | None, expected: tuple[str | None, str | None]) -> None:
    assert deadline_of(text, report_date) == expected


@pytest.mark.parametrize("text,who", [
    ("HMCTS should consider independent training", "hmcts"),
    ("If they are not already doing so, the Force should set out", "the force"),
    ("Longer term funding should be identified by the Force for the post", "the force"),
    ("Dyfed-Powys Police should be assured that officers can", "dyfed-powys police"),
    ("The new Civil Orders Officer should support reviews", "default"),
    ("Chief constables should ensure that", "chief constables"),
])
def test_addressees(text: str, who: str) -> None:
    assert addressee_of(text, "default") == who


@pytest.mark.parametrize("sentence,status", [
    ("All of the points are embedded practice within the force.", "complete"),
    ("The new process has been implemented across both divisions.", "complete"),
    ("The second element remains ongoing.", "in_progress"),
    ("Work is underway to establish a course.", "in_progress"),
    ("This post has been sanctioned and will come to fruition in Autumn 2023.", "planned"),
    ("This has been documented and will inform future planning cycles.", "not_started"),
    ("This recommendation is for the HMCTS.", "not_applicable"),
    ("The team are currently reviewing the model and will share the learning.", "in_progress"),
    ("The system has embedded the tool and will review it next year.", "planned"),
    ("The force thanks the inspectorate.", None),
    # what the force already does, or has done since a year, is in place; work being written is under way
    ("South Wales Police already shares collision and enforcement data with GoSafe.", "complete"),
    ("Every bereaved family is already offered a trained family liaison officer.", "complete"),
    ("The force has accepted dashcam footage through the Operation Snap portal since 2018.", "complete"),
    ("The roads policing assessment is being written by the department.", "in_progress"),
    ("The proposal is being considered by the board.", None),
    # the NPCC is not a force: "National Police" is no force's name here
    ("This recommendation is for the National Police Chiefs' Council and the College of Policing.", "not_applicable"),
    ("This recommendation is for South Wales Police.", None),
])
def test_sentence_statuses(sentence: str, status: str | None) -> None:
    assert classify(sentence) == status


def test_a_claim_of_completion_next_to_an_intention_is_not_complete() -> None:
    overall, _ = propose("The policy has been implemented. We will review whether it works in 2027.")
    assert overall.status == "planned"
    assert propose("")[0].status == "unknown"
    assert propose("The force notes the recommendation.")[0].status == "unknown"


def test_status_quote_is_exact_text_of_the_response() -> None:
    u = understand(CORPUS / CSA)
    for r in u.recommendations:
        assert r.response == u.clean.text[r.response_start:r.response_end]
        if r.status_quote:
            assert u.clean.text[r.status_start:r.status_end] == r.status_quote
            assert r.status_quote in r.response


# --- layouts beyond "Recommendation N" blocks: tracker tables, status keys, wording (issue 13) --------

TRACKER = """Force response to the deep dive

Status key: Achieved - the recommendation has been fully implemented. Partially achieved - implementation has started but is not complete. Not yet achieved - work on the recommendation has not started.

Rec. | Recommendation | Force position | Status
1 | By 31 July 2023, chief constables should make sure that their vetting units have enough trained staff. | Five officers have been recruited. | Partially achieved
2 | Chief constables should make sure that vetting decisions are taken by independent staff. | Decisions are made by the vetting unit alone. | Achieved
3 | Forces should review how they record vetting appeals and their outcomes. | Scoping begins next year. | Not yet achieved

Area | Owner | Status
Vetting staff numbers and training | Head of Vetting | Achieved
"""


def test_a_tracker_table_gives_one_row_per_recommendation_with_the_keys_status() -> None:
    recs = recs_of(TRACKER)
    assert [(r.ref, r.status) for r in recs] == [("1", "in_progress"), ("2", "complete"), ("3", "not_started")]
    assert recs[0].text.startswith("By 31 July 2023, chief constables should") and recs[0].deadline == "2023-07-31"
    assert recs[0].response == "Five officers have been recruited." and recs[1].status_quote == "Achieved"
    text = clean(Source(path="x.md", name="x.md", format="md", text=TRACKER)).text
    assert all(text[r.start:r.end].rstrip(".") == r.text.rstrip(".") and text[r.status_start:r.status_end] == r.status_quote for r in recs)


def test_a_status_key_is_read_and_outranks_the_usual_meaning() -> None:
    from ingest.status import labelled, read_key, word_status

    key = read_key("3.1 The table uses the standard status key.\nStatus Meaning\nGreen Action complete and evidence supplied\n"
                   "Amber Work in progress and on track\nRed Not started, or behind the target date\n\n")
    assert key == {"green": "complete", "amber": "in_progress", "red": "not_started"}
    assert word_status("Red (start delayed)", key) == "not_started" and word_status("Red", {}) == "in_progress"
    assert word_status("Green", {}) == "in_progress"  # without a key, the less advanced reading
    p = labelled("Response: accepted and under way.\nStatus: Amber", key)
    assert p is not None and p.status == "in_progress" and p.quote == "Status: Amber"
    assert labelled("The work is complete.", key) is None
    met = labelled("Our assessment: Met - closed", {})  # an inspectorate's assessment line in a revisit letter
    assert met is not None and met.status == "complete" and labelled("Our assessment: the force has improved.", {}) is None
    # the force calls it complete, the inspectorate has not yet reviewed it: in progress, never complete
    waiting = read_key("Status key\n| CLOSED | HMICFRS has reviewed the evidence and confirmed that the recommendation is closed. |\n"
                       "| BLUE | The force considers the action complete and has submitted evidence to HMICFRS; awaiting HMICFRS review. |\n\n")
    assert waiting == {"closed": "complete", "blue": "in_progress"}


FLAT_TRACKER = """Improvement plan tracker

Status key (RAG)
- Blue - Complete: the action has been delivered and the inspectorate has discharged it.
- Green - On track: work is under way and is expected to be delivered by the target date.
- Red - Not started: work has not yet begun.

Recommendations
Ref Recommendation Lead Target date RAG/Status Update
1.1 Within three months the force should answer 999 calls within the national standard. Head of Contact
31/03/2022 Green - On track Answering within 10 seconds has risen to 87% but remains below the standard.
2.1 Within six months the force should train every officer who makes crime recording decisions. Force Crime
Registrar 30/06/2022 Blue - Complete Discharged by the inspectorate in September 2023.
3.1 Within six months the force should replace its end-of-life incident system. Head of IT 30/06/2022 Red -
Not started The business case goes to the Commissioner in January.
"""


def test_a_tracker_row_flattened_into_a_paragraph_takes_its_status_from_the_keys_cell() -> None:
    """A PDF table read as running text: the row's text ends at its sentence; the key's word after the target date is its status."""
    from ingest.status import keyed_cell

    recs = recs_of(FLAT_TRACKER, "tracker.pdf")
    assert [(r.ref, r.status, r.status_quote) for r in recs] == [
        ("1.1", "in_progress", "Green - On track"), ("2.1", "complete", "Blue - Complete"), ("3.1", "not_started", "Red -\nNot started")]
    assert recs[0].text == "Within three months the force should answer 999 calls within the national standard"
    text = clean(Source(path="tracker.pdf", name="tracker.pdf", format="md", text=FLAT_TRACKER)).text
    assert all(text[r.status_start:r.status_end] == r.status_quote for r in recs)
    # no key, or a key word in prose without a date before it or its label after it: no cell
    assert keyed_cell("Due 31/03/2022 Green - On track", 0, 31, {}) is None
    assert keyed_cell("The Green Paper was read in 2022.", 0, 33, {"green": "in_progress"}) is None
    # a colour the key does not explain takes the usual, less advanced reading; a cell inside a response is read too
    amber = keyed_cell("Head of Crime 30/04/2023 Amber Software procured.", 0, 49, {"blue": "complete"})
    assert amber is not None and (amber.status, amber.quote) == ("in_progress", "Amber")
    from ingest.status import labelled

    blue = labelled("Head of Professional Standards 31/03/2023 Blue Template in use since February.", {"blue": "complete"})
    assert blue is not None and blue.status == "complete" and blue.quote == "Blue"


def test_a_status_under_a_labelled_action_and_a_status_cell_of_a_row_read_as_one_line() -> None:
    """"DFRS action: ... Action: Completed" below a recommendation is its answer and status, not two headings; a
    row "Recommendation 1 - text | 3 | 01 Oct 2023 | Closed - Complete | 100" is the text, and its status cell."""
    recs = recs_of("""Progress report

Recommendation 1
By 1 October 2023, chief fire officers should make sure staff know about the whistleblowing process.
DFRS action:
We have set up a Culture Hub on the intranet which explains how staff can raise a concern.
Action: Completed

Recommendation 2
By 1 June 2024, chief fire officers should review the support offered to people who raise concerns.
DFRS action:
A review of the support on offer has been commissioned from the people services team.
Action: Ongoing
""", "progress.md")
    assert [(r.ref, r.status, r.status_quote) for r in recs] == [("1", "complete", "Action: Completed"), ("2", "in_progress", "Action: Ongoing")]
    row = recs_of("""Action plan summary

Summary | Sub actions | Deadline date | Status | Overall %
Recommendation 1 - By 1 October 2023, chief fire officers should offer staff a confidential way to raise concerns. | 3 | 01 Oct 2023 | Closed - Complete | 100
Recommendation 2 - By 1 June 2023, chief fire officers should review the support offered to people who raise concerns. | 2 | 01 Jun 2023 | Open - Actions on going off track | 55
""", "summary.md")
    assert [(r.ref, r.status, r.status_quote) for r in row] == [("1", "complete", "Closed - Complete"), ("2", "in_progress", "Open - Actions on going off track")]
    assert row[0].text.rstrip(".").endswith("a confidential way to raise concerns") and "|" not in row[0].text


def test_a_status_at_the_end_of_an_items_row_in_a_flattened_tracker_elsewhere() -> None:
    """A panel paper states its causes of concern in the body and prints their statuses in an appendix table read as
    running text: row "1a" is part a of cause of concern 1, row "CoC 2" is cause of concern 2; a wrapped status cell counts."""
    from ingest.rec_mentions import apply_rows

    text = ("Cause of concern 1: the force is not answering calls quickly enough.\n"
            "Cause of concern 2: the force does not record enough crime.\n\n"
            "Appendix A\n"
            "Ref Recommendation Owner Target date Update Status\n"
            "CoC 1 Calls for service Head of Contact October 2023 Good progress on call answering. Being\nprogressed\n"
            "1a Answer calls within the standards Head of Contact October 2023 Answering rose to 88%. Proposed for closure\n"
            "CoC 2 Crime recording DCC July 2023 HMICFRS agreed closure on 30 November 2023. Closed\n")

    def rec(kind: str, ref: str, line: str, parent: str | None = None) -> Recommendation:
        at = text.index(line)
        return Recommendation(ref=ref, ordinal=1, type=kind, text=line, start=at, end=at + len(line), parent=parent)

    recs = [rec("cause_of_concern", "1", "the force is not answering calls quickly enough."),
            rec("recommendation", "a", "Cause of concern 1"),
            rec("cause_of_concern", "2", "the force does not record enough crime.")]
    apply_rows(text, recs, {})
    assert [(r.status, r.status_quote) for r in recs] == [("in_progress", "Being\nprogressed"), ("in_progress", "Proposed for closure"),
                                                          ("complete", "Closed")]
    assert all(text[r.status_start:r.status_end] == r.status_quote for r in recs)
    lone = [rec("cause_of_concern", "1", "the force is not answering calls quickly enough.")]
    apply_rows(text.replace("Ref Recommendation", "Recommendation"), lone, {})  # no table header naming ref and status: no rows
    assert lone[0].status == "unknown"


def test_a_revisit_letter_closes_this_cause_of_concern_and_its_recommendations_and_a_lists_deadline_is_its_items() -> None:
    """A development document (tuning fold): "we have closed this cause of concern and its three recommendations"
    closes the cause of concern above and the three listed under it; "By 30 June 2024, the force should:" dates its list."""
    from pathlib import Path

    doc = Path(__file__).resolve().parent.parent / "evals/dev/docs/hmicfrs-nottinghamshire-police-peel-causes-of-concern-revisit-letter-april-2025.pdf"
    recs = understand(doc).recommendations
    concern = next(i for i, r in enumerate(recs) if r.type == "cause_of_concern" and r.text.startswith("The force doesn't have adequate"))
    group = recs[concern:concern + 4]
    assert [(r.type, r.status) for r in group] == [("cause_of_concern", "complete")] + [("recommendation", "complete")] * 3
    assert all(r.deadline == "2024-06-30" and r.deadline_text == "By 30 June 2024" for r in group[1:])
    assert "we have closed this cause of concern and its three recommendations" in group[0].status_quote
    first = recs[:concern]  # the first cause of concern "remains open": never proposed complete
    assert first[0].type == "cause_of_concern" and first[0].status == "in_progress"
    # "the four recommendations with a deadline of 30 September 2024 therefore remain open"; "the four immediate recommendations ... met"
    assert [r.status for r in first if r.deadline_text == "By 30 September 2024"] == ["in_progress"] * 4
    assert [r.status for r in first if r.deadline_text == "immediately"] == ["complete"] * 4


def test_areas_for_improvement_under_theme_sub_headings_keep_their_type() -> None:
    """Sub-headings naming a theme inside "Areas for improvement" do not end the part; a later heading with prose does."""
    from ingest.rec_language import find_language_recommendations

    text = """Report on an inspection of custody suites

Areas for improvement

Leadership and working with partners

- The force should make sure that it has enough custody staff on duty at all times to meet demand.

Pre-custody: first point of contact

- The force should make sure that frontline officers can get timely advice from mental health professionals.
- The force should work with health partners to reduce the time that people wait for a mental health assessment.

About this inspection

This was an unannounced inspection carried out jointly with the Care Quality Commission over two weeks.
"""
    c = clean(Source(path="custody.md", name="custody.md", format="md", text=text))
    meta = extract_meta(c.text, "custody.md")
    recs = find_language_recommendations(c.text, find_blocks(c, Source(path="custody.md", name="custody.md", format="md", text=text), meta.kind), meta, {})
    assert [r.type for r in recs] == ["area_for_improvement"] * 3
    assert recs[1].text.startswith("The force should make sure that frontline officers")


def test_recommendations_found_by_their_language_without_numbers() -> None:
    recs = recs_of("""PEEL: An inspection of Cleveland Police

Victims' needs are not always assessed

In too many cases there was no record of a needs assessment.

Area for improvement
Cleveland Police should make sure it completes and records a victim needs assessment in every case.

Protecting vulnerable people

Chief constables should make sure that uniform policies are clear about badges and lanyards. (Recommendation 10)

Recommendations
HM Prison and Probation Service should:
1. review the guidance on level 1 management, so that it sets out the minimum information to exchange
2. make sure that every practitioner has access to ViSOR

The report identifies areas for improvement, listed below with our comment on each.
- The force should reduce the proportion of 101 calls that are abandoned. OPCC comment: Work continues and the new platform is being rolled out.
""", "cleveland.md")
    got = [(r.type, r.ref, r.text[:41]) for r in recs]
    assert got == [("area_for_improvement", "", "Cleveland Police should make sure it comp"),
                   ("recommendation", "10", "Chief constables should make sure that un"),
                   ("recommendation", "1", "review the guidance on level 1 management"),
                   ("recommendation", "2", "make sure that every practitioner has acc"),
                   ("area_for_improvement", "", "The force should reduce the proportion of")]
    assert recs[2].addressee == "hm prison and probation service" or recs[2].addressee.startswith("hm prison")
    assert recs[4].text.endswith("abandoned") and recs[4].response.startswith("Work continues")


def test_a_monitoring_portal_entry_takes_the_text_after_the_colon_and_the_printed_status() -> None:
    recs = recs_of("""Recommendations and areas for improvement: West Mercia Police

Recommendation 1
Completed
- Type
- Recommendation
- Reference
- WMP-PEEL1819-R1
HMIC recommends that the force should immediately: conduct a review of officers' capabilities and capacity to manage their investigative workload.
""", "portal.txt")
    assert [(r.ref, r.status, r.status_quote) for r in recs] == [("1", "complete", "Completed")]
    assert recs[0].text.startswith("conduct a review of officers")


def test_no_recommendation_from_a_narrative_sentence_outside_a_recommendations_part() -> None:
    recs = recs_of("""Annual report of the Commissioner

Policing in the county

The force should be proud of what it has achieved this year, and officers must be thanked for it.
Residents need to know that the officers who serve them are trusted.
""")
    assert recs == []


def test_lettered_parts_each_answered_below_the_recommendation() -> None:
    recs = recs_of("""Response of the Commissioner

Recommendation 2
By 31 December 2024, all chief constables should make sure that their forces have problem profiles for child sexual exploitation.
(a) a problem profile for child sexual exploitation in the force area
Response: Complete. The force has produced a profile since 2019.
(b) an assessment of the nature and extent of group-based exploitation
Response: In progress. Partner data is being added to the profile this year.
(c) updating the profile frequently, and at least once a year Response: Planned. Quarterly updates will begin in April.
Recommendation 2 is therefore partly complete. I will ask the Chief Constable to report in the summer.

Recommendation 3
By 30 May 2025, the National Crime Agency should produce a national assessment of group-based exploitation.
Force response
This recommendation is for the National Crime Agency and not for the force.
""", "s55.md")
    got = [(r.ref, r.parent, r.status) for r in recs]
    assert got == [("2", None, "in_progress"), ("a", "2", "complete"), ("b", "2", "in_progress"), ("c", "2", "planned"), ("3", None, "not_applicable")]
    assert recs[3].text == "updating the profile frequently, and at least once a year"
    assert recs[0].deadline == "2024-12-31" and recs[4].response.startswith("Force response")


def test_a_portal_status_printed_above_the_text_and_progress_to_date() -> None:
    from ingest.status import propose

    recs = recs_of("""Recommendations and areas for improvement: Nottinghamshire Police

Cause of concern 1
Status: awaiting-review
Theme: Investigating crime
Text:
The force needs to improve how it manages and supervises investigations, and make sure victims are updated.
""", "portal.txt")
    assert [(r.type, r.ref, r.status, r.status_quote) for r in recs] == [("cause_of_concern", "1", "in_progress", "Status: awaiting-review")]
    assert recs[0].text.startswith("The force needs to improve")
    assert propose("A savings plan of £6.2 million has been approved; £2.1 million has been delivered to date.")[0].status == "in_progress"


@pytest.mark.parametrize(("sentence", "status"), [
    ("This part is for the College of Policing.", "not_applicable"),
    ("These recommendations are for the Home Office.", "not_applicable"),
    ("This part is addressed to the Government rather than to Surrey Police.", "not_applicable"),
    ("This recommendation is for the force, which has accepted it.", None),
    ("This recommendation is for Surrey Police and chief constables.", None),
    ("Under way. The October profile includes a section on group-based exploitation.", "in_progress"),
])
def test_who_a_recommendation_is_for_and_work_under_way(sentence: str, status: str | None) -> None:
    assert classify(sentence) == status


def test_a_tracker_cell_holding_a_concern_and_its_recommendation() -> None:
    recs = recs_of("""An inquiry tracker

| # | Recommendation | Directed at | Status |
| T1 | Cause of concern: The force is not making sure that it records every reported crime. Recommendation: The force should immediately supervise crime-recording decisions. | Greater Manchester Police | Completed |
| T2 | Cause of concern: The force is not making sure that investigation plans are completed. Recommendation: The force should restate when plans are needed. | Greater Manchester Police | Superseded |
""")
    assert [(r.type, r.ref, r.status) for r in recs] == [("cause_of_concern", "T1", "unknown"), ("recommendation", "T1", "complete"),
                                                         ("cause_of_concern", "T2", "unknown"), ("recommendation", "T2", "superseded")]
    assert recs[1].addressee == "the force" and recs[1].text.startswith("The force should immediately supervise")


@pytest.mark.parametrize(("sentence", "status"), [
    ("A data quality review of use of force forms is under way.", "in_progress"),
    ("The backlog of overdue risk assessments has fallen from 410 to 95.", "in_progress"),
    ("HMICFRS concluded that both causes of concern remain open.", "in_progress"),
    ("A revised checklist is being trialled in the unit.", "in_progress"),
    ("We are satisfied that the force has met these three recommendations.", "complete"),
    ("We have closed the recommendation on this point.", "complete"),
    ("Use of force recording is now a mandatory step on every incident.", "complete"),
    ("The force has met with partners to discuss it.", None),
])
def test_more_of_the_wordings_of_progress(sentence: str, status: str | None) -> None:
    assert classify(sentence) == status


def test_causes_of_concern_listed_after_what_the_inspectorate_found() -> None:
    recs = recs_of("""Staffordshire Police: PEEL causes of concern revisit letter

Background
In January 2022 we carried out a victim service assessment. It led us to issue two accelerated causes of concern. We found that the force:
- was not identifying and assessing vulnerability when the public first made contact; and
- was not carrying out effective investigations, and was not giving victims the support they needed.
On 6 July 2022, the force entered the engage phase of our monitoring process.
""", "letter.html")
    assert [(r.type, r.text[:40]) for r in recs] == [("cause_of_concern", "was not identifying and assessing vulnera"[:40]),
                                                     ("cause_of_concern", "was not carrying out effective investigat"[:40])]


@pytest.mark.parametrize(("sentence", "status"), [
    ("A revised crime allocation policy was introduced in February 2025.", "in_progress"),
    ("Dip sampling of ten incidents per suite each month began in October 2018.", "in_progress"),
    ("A data-sharing agreement with the county council is being drafted.", "in_progress"),
    ("A structured risk assessment is still not always used, though use has improved.", "in_progress"),
    ("The force is considering whether to create a single safeguarding team.", "planned"),
    ("No work has yet started on this AFI.", "not_started"),
    ("I am satisfied that this recommendation has been met.", "complete"),
    ("Training completed by 1,140 officers; discharged by HMICFRS in September 2023.", "complete"),
    ("Dip sampling of the footage by the scrutiny panel is ongoing.", "in_progress"),
    ("We are still working with the safeguarding partnership to agree when a search should lead to a referral.", "in_progress"),
    ("A training package is being delivered through the crime recording programme, which will be completed by March 2024.", "in_progress"),
    ("The review of support to staff networks has begun and will report at the same time.", "in_progress"),
    ("Two of the five courses have been reviewed so far and the remainder will be completed by March 2025.", "in_progress"),
    ("Cause of concern 1 remains in place.", "in_progress"),
    ("Work will begin once the new victim care model is agreed in spring 2024.", "not_started"),
    ("Its terms of reference are awaited from the regional board, so there is no action yet for the force to take.", "not_started"),
    ("The Constabulary is planning to widen its stop and search scrutiny panel.", "planned"),
])
def test_wordings_of_work_begun_considered_or_met(sentence: str, status: str | None) -> None:
    assert classify(sentence) == status


def test_a_status_stated_elsewhere_by_number_or_for_all_of_a_type() -> None:
    recs = recs_of("""Report to the Police and Crime Panel

The causes of concern
Cause of concern 1: The force is not answering emergency and non-emergency calls quickly enough.

Cause of concern 2: The force is not recording crime accurately, particularly domestic abuse crimes.

Cause of concern 3: The force is not investigating crime effectively or supervising investigations.

Exit from engage
HMICFRS returned to the force in the summer. HMICFRS has discharged causes of concern 2 and 3. Cause of concern 1 remains open.
""", "paper.md")
    by = {r.ref: r for r in recs if r.type == "cause_of_concern"}
    assert {ref: r.status for ref, r in by.items()} == {"1": "in_progress", "2": "complete", "3": "complete"}
    assert by["2"].status_quote == "HMICFRS has discharged causes of concern 2 and 3."


def test_a_status_stated_for_the_items_just_listed_or_for_the_one_about_a_topic() -> None:
    """An inspectorate's letter: "these three recommendations" are the three listed just before; "the cause of
    concern about investigating crime" is the one whose text is about investigations. A sentence that closes
    nothing by name leaves the items unknown."""
    from ingest.rec_mentions import apply_mentions

    text = ("The force was not carrying out effective investigations.\n"
            "The force was not answering calls quickly enough.\n"
            "Call handlers should record a structured risk assessment.\n"
            "Vulnerable callers should be routinely identified.\n"
            "Callers should be given advice on preserving evidence.\n"
            "We are satisfied that the force has met these three recommendations.\n"
            "We have closed the cause of concern about investigating crime.\n"
            "We are satisfied that the force has improved its call handling.\n")

    def rec(kind: str, line: str) -> Recommendation:
        at = text.index(line)
        return Recommendation(ref="", ordinal=1, type=kind, text=line, start=at, end=at + len(line))

    recs = [rec("cause_of_concern", "The force was not carrying out effective investigations."),
            rec("cause_of_concern", "The force was not answering calls quickly enough."),
            rec("recommendation", "Call handlers should record a structured risk assessment."),
            rec("recommendation", "Vulnerable callers should be routinely identified."),
            rec("recommendation", "Callers should be given advice on preserving evidence.")]
    apply_mentions(text, recs)
    assert [r.status for r in recs] == ["complete", "unknown", "complete", "complete", "complete"]
    assert recs[0].status_quote == "We have closed the cause of concern about investigating crime."
    assert recs[2].status_quote == "We are satisfied that the force has met these three recommendations."
    fewer = recs[3:]
    for r in fewer:
        r.status = "unknown"
    apply_mentions(text, fewer)  # "these three" with only two listed before it: no one's status
    assert [r.status for r in fewer] == ["unknown", "unknown"]


def test_a_tracker_whose_response_column_has_a_long_name_and_opens_with_its_status() -> None:
    recs = recs_of("""Areas for improvement

| Pillar | HMICFRS finding | Summary of work being done or being considered |
| Effectiveness | AFI: The force should improve how it manages the risk posed by registered sex offenders. | Completed. The backlog of overdue assessments was cleared in September. |
| Efficiency | AFI: The force should improve its capability to monitor its ICT systems. | Under consideration. Software options are being evaluated. |
""", "panel.md")
    assert [(r.type, r.status) for r in recs] == [("area_for_improvement", "complete"), ("area_for_improvement", "planned")]
    assert recs[0].status_quote == "Completed"


def test_a_list_under_a_heading_line_that_says_who_should_act_and_a_recommendation_reported_in_running_text() -> None:
    recs = recs_of("""Surrey Police responds to its PEEL report

Areas for improvement

The report also identifies the following areas for improvement. HMICFRS says the force should:

- improve the time it takes to answer non-emergency 101 calls and reduce the number abandoned;
- make sure that call handlers identify repeat and vulnerable victims when they first call.

The report makes 43 recommendations. Among them, the inspectorate recommended that chief constables should make sure that the receiving force checks the professional standards records of every transferee. The Commissioner welcomed it.
""", "news.md")
    assert [(r.type, r.text[:30]) for r in recs] == [
        ("area_for_improvement", "improve the time it takes to a"), ("area_for_improvement", "make sure that call handlers i"),
        ("recommendation", "chief constables should make s")]
    assert recs[2].text.endswith("records of every transferee") and "welcomed" not in recs[2].text


@pytest.mark.parametrize(("text", "who"), [
    ("Within six months the force should produce a plan for each service.", "the force"),
    ("By 31 July 2023, chief constables should make sure that their vetting units have enough staff.", "chief constables"),
    ("HMICFRS says the force should improve the time it takes to answer calls.", "the force"),
    ("Police Scotland should ensure that the risk assessment of every detained person is reviewed.", "police scotland"),
    ("The constabulary needs to make sure that use of force is recorded accurately.", "the constabulary"),
    ("Any future engagement with victims should consider whether they were kept informed.", None),
])
def test_who_is_asked_to_act_after_a_deadline_or_a_reporting_clause(text: str, who: str | None) -> None:
    assert addressee_of(text, None) == who


def test_a_tables_text_column_names_its_rows_type_and_what_a_cause_of_concern_asks_is_a_recommendation() -> None:
    recs = recs_of("""Areas for improvement

| AFI | Area for improvement | Surrey Police position |
| 1 | Forces should make sure that they understand the scale of predatory behaviour in their workforce. | A workforce survey was completed. |
""", "t.md")
    assert [(r.type, r.ref) for r in recs] == [("area_for_improvement", "1")]
    recs = recs_of("""Causes of concern

Cause of concern 1: The force needs to improve how it identifies and assesses vulnerability at first contact.

Within three months, Staffordshire Police should make sure that:
(a) call handlers carry out and correctly record a structured initial triage and risk assessment;
(b) vulnerable and repeat callers are identified at the first point of contact.
""", "p.md")
    assert [r.type for r in recs] == ["cause_of_concern", "recommendation", "recommendation"]


def test_a_group_statement_gives_its_status_only_when_it_names_every_item_of_that_type() -> None:
    text = """Causes of concern

Cause of concern 1: The force is not answering emergency calls quickly enough and callers give up.

Cause of concern 2: The force is not recording crime accurately, particularly domestic abuse crimes.

Cause of concern 3: The force is not investigating crime effectively or supervising investigations.

Revisit
We have closed the two causes of concern about calls and recording.
"""
    assert {r.status for r in recs_of(text, "l.md")} == {"unknown"}  # two of three: which two is not said
    both = recs_of(text.replace("Cause of concern 3: The force is not investigating crime effectively or supervising investigations.\n", ""), "l.md")
    assert [r.status for r in both] == ["complete", "complete"]


def test_a_label_naming_a_topic_takes_the_text_below_it() -> None:
    recs = recs_of("""Causes of concern

We published the following causes of concern on 6 December 2024.
Cause of concern: responding to the public
The force isn't attending incidents within its published attendance times, and it doesn't always tell callers.
Cause of concern: investigating crime
The force doesn't allocate, supervise and carry out investigations well enough.
""", "page.html")
    assert [(r.type, r.text[:24]) for r in recs] == [("cause_of_concern", "The force isn't attendin"), ("cause_of_concern", "The force doesn't alloca")]


def test_a_tracker_with_a_concern_column_and_a_recommendation_column() -> None:
    recs = recs_of("""Causes of concern and recommendations

Cause of concern | Recommendation | Response | Status
1. Governance and oversight of the use of force in custody were not adequate. | The forces should make sure that every use of force in custody is recorded. | Dip sampling against CCTV began in October 2018. | In progress
2. The forces did not comply with PACE Code C on reviews of detention. | The forces should take immediate action to make sure that reviews are carried out. | An audit found 98% compliance. | Complete
""", "s55.md")
    assert [(r.type, r.ref, r.status) for r in recs] == [
        ("cause_of_concern", "1", "in_progress"), ("recommendation", "", "in_progress"),
        ("cause_of_concern", "2", "complete"), ("recommendation", "", "complete")]
    assert recs[0].text.startswith("Governance and oversight") and recs[1].text.startswith("The forces should make sure")


@pytest.mark.parametrize(("sentence", "status"), [
    ("The Constabulary considers this recommendation to be complete.", "complete"),
    ("Workforce plan approved in September 2019; closure agreed by the Strategic Development Board.", "complete"),
    ("The Commissioner said the first of these is already standard practice in Cambridgeshire.", "complete"),
])
def test_wordings_of_a_recommendation_closed(sentence: str, status: str) -> None:
    assert classify(sentence) == status


def test_a_monitoring_card_flattened_into_a_line_gives_its_recommendation_and_status() -> None:
    recs = recs_of("""Recommendations from national thematic reports

- Living in fear - the police and CPS response to harassment and stalking Within six months, chief constables should ensure that their forces have an up-to-date stalking policy. Status: Superseded HMICFRS comment: Replaced by a later recommendation.
- Shining a light on betrayal By 30 April 2023, chief constables should make sure that their counter-corruption units are properly resourced. Status: In progress
""", "portal.html")
    assert [(r.type, r.text[:35], r.status) for r in recs] == [
        ("recommendation", "Within six months, chief constables", "superseded"), ("recommendation", "By 30 April 2023, chief constables ", "in_progress")]
    assert recs[0].addressee == "chief constables"


def test_a_numbered_label_naming_a_topic_takes_the_paragraph_below() -> None:
    recs = recs_of("""Causes of concern

Cause of concern 1: Responding to the public
The force isn't attending incidents within its published attendance times, and it doesn't always
tell callers when attendance will be delayed.
""", "letter.md")
    assert [(r.type, r.ref, r.text[:30]) for r in recs] == [("cause_of_concern", "1", "The force isn't attending inci")]


def test_a_numbered_recommendation_whose_line_ends_in_a_colon_above_its_lettered_parts() -> None:
    recs = recs_of("""Causes of concern

Cause of concern 1: Responding to the public
The force isn't attending incidents within its published attendance times.
Recommendation 1: Within six months, the force should:
(a) make sure it has enough suitably trained staff available to attend emergency incidents; and
(b) review how it prioritises and manages incidents awaiting deployment.
""", "letter.md")
    parts = [r for r in recs if r.parent == "1" and r.type == "recommendation"]
    assert [p.text[:20] for p in parts] == ["make sure it has eno", "review how it priori"]
    assert all(p.addressee == "the force" for p in parts)


def test_an_addressee_of_several_bodies_still_acts() -> None:
    """"Thames Valley Police and the police and crime commissioner should ...": nine words naming who must act."""
    from ingest.rec_language import ACTS

    m = ACTS.match("Thames Valley Police and the police and crime commissioner should strengthen the governance of custody.")
    assert m is not None and m.group("who") == "Thames Valley Police and the police and crime commissioner"
    assert ACTS.match("It has been agreed that over the next three years the force should review") is None  # "it has" is no one acting


def test_a_committees_own_recommendation_and_a_status_word_alone_are_not_items() -> None:
    recs = recs_of("""HMICFRS inspection reports

Recommendations

1. The force should review its crime recording processes within six months.
2. The Panel is recommended to note the content of this report.
3. To consider whether the press and public should be excluded from the meeting.
""", "panel.md")
    assert [r.text.rstrip(".") for r in recs] == ["The force should review its crime recording processes within six months"]


def test_a_cause_of_concern_is_not_complete_while_a_recommendation_under_it_is_not() -> None:
    from ingest.rec_mentions import cap_parents

    def rec(ref: str, type_: str, start: int, status: str, quote: str) -> Recommendation:
        return Recommendation(ref=ref, ordinal=1, type=type_, text=ref, start=start, end=start + 5, status=status, status_quote=quote)

    coc = rec("1", "cause_of_concern", 0, "complete", "CLOSED")  # the heading took the first row's status
    rows = [rec("R1", "recommendation", 10, "complete", "CLOSED"), rec("R2", "recommendation", 20, "not_started", "RED"),
            rec("R3", "recommendation", 30, "complete", "CLOSED")]
    other = rec("2", "cause_of_concern", 40, "complete", "CLOSED")
    later = rec("R4", "recommendation", 50, "complete", "Discharged")
    recs = [coc, *rows, other, later]
    cap_parents(recs)
    assert coc.status == "in_progress" and coc.status_quote == "RED"  # some done, one not started: in progress, with the open row's evidence
    assert other.status == "complete"  # every recommendation under it is complete
    assert [r.status for r in rows] == ["complete", "not_started", "complete"]  # the rows keep their own
    alone = [rec("3", "cause_of_concern", 0, "complete", "Discharged"), rec("AFI 1", "area_for_improvement", 10, "in_progress", "Amber")]
    cap_parents(alone)
    assert alone[0].status == "complete"  # an area for improvement is not under it


def test_an_intros_lettered_parts_each_take_the_update_beneath_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "action-plan.md"
    plan.write_text(
        "# Police integrity and corruption: action plan update\n\n"
        "### Recommendation 4\n\nWithin three months, the constabulary should:\n\n"
        "(a) review its register of business interests so that every entry has been assessed and approved; and\n\n"
        "Update: This has been completed. All 112 entries on the register were reviewed by February 2015.\n\n"
        "(b) remind all officers and staff of their duty to declare business interests and gifts.\n\n"
        "Update: A reminder is being drafted for the force newsletter and work on the declaration process is under way.\n\n"
        "### Next update\n\nThe next update will be provided in September 2015.\n", encoding="utf-8")
    recs = {r.ref: r for r in understand(plan).recommendations}
    assert recs["a"].status == "complete" and recs["a"].status_quote.startswith("This has been completed")
    assert recs["b"].status == "in_progress" and "under way" in recs["b"].status_quote  # its own update, not (a)'s
    assert recs["4"].status == "in_progress"  # one part done, one under way


def test_revisit_letter_recommendations_under_a_cause_of_concern_take_the_summary_rows() -> None:
    text = ("Dear Chief Constable,\n\nCause of concern\n\nThe force does not engage adequately with the communities it serves and "
            "the public has little part in scrutinising it.\n\nRecommendations\n\n"
            "To address this cause of concern, we recommended that within six months the force should:\n\n"
            "• 1. put in place an engagement strategy, led at chief officer level, for all of its communities;\n"
            "• 2. make sure that neighbourhood officers have enough time and training to engage with communities.\n\n"
            "Our findings\n\nThe force has an engagement strategy. Officers are still taken away from their roles.\n\n"
            "Summary of our assessment\n\nRecommendation Our assessment\n1. Engagement strategy Met - closed\n"
            "2. Neighbourhood officers' time and training Not met - remains open\nConclusion\nThe cause of concern remains in place.\n")
    recs = [r for r in recs_of(text) if r.type == "recommendation"]
    assert [(r.ref, r.status) for r in recs] == [("1", "complete"), ("2", "in_progress")]
    assert [r.status_quote for r in recs] == ["Met - closed", "Not met - remains open"]


def test_a_status_key_of_compound_words_and_a_declined_recommendation() -> None:
    text = ("Force response to the panel's report\n\n2. Status key\n\nStatus | Meaning\n"
            "Accepted - complete | The Force has accepted the recommendation and the action is finished\n"
            "Accepted - not yet started | The Force has accepted the recommendation; work will start on the date shown\n"
            "Not accepted | The Force does not intend to act on the recommendation; reasons are given\n\n"
            "3. Recommendations and Force response\n\nRecommendation 1\n\nThe Force should complete a use of force form for every officer involved.\n\n"
            "Force response: Accepted - complete. A reminder was issued to all officers in October 2019.\n\n"
            "Recommendation 2\n\nAll custody staff should be issued with Taser.\n\n"
            "Force response: Not accepted. The Force does not consider the routine issue of Taser in custody necessary.\n")
    recs = recs_of(text)
    assert [(r.ref, r.status) for r in recs] == [("1", "complete"), ("2", "not_applicable")]


def test_numbered_paragraphs_under_an_areas_for_improvement_heading_are_items() -> None:
    text = ("Joint targeted area inspection of the response to domestic abuse\n\n"
            "1. Between 12 and 16 September 2016 the inspectorates carried out a joint inspection of the area's services.\n\n"
            "Areas for improvement\n\n"
            "11. Agencies do not consistently identify all the risks to children who live with domestic abuse in the area.\n\n"
            "12. The police do not always complete a good-quality risk assessment with the victim at the scene.\n\n"
            "Case study: area for improvement\n\n"
            "13. Inspectors saw the case of a child whose parents had separated after a serious assault, and what followed.\n")
    recs = recs_of(text)
    assert [(r.ref, r.type) for r in recs] == [("11", "area_for_improvement"), ("12", "area_for_improvement")]


def test_a_tracker_legend_with_commas_and_a_commitments_column() -> None:
    from ingest.status import read_key, word_status

    legend = ("How to read this tracker\nEach line carries one of the following statuses:\n"
              "- Delivered: the action is finished and what it set out to do is now in place.\n"
              "- Delivered, continuing: the action has been delivered once and will be repeated as business as usual.\n"
              "- Delayed: work has started but will not be finished by the target date.\n"
              "- Closed, superseded: the action has been replaced by other work, which is named.\n")
    key = read_key(legend)
    assert [word_status(w, key) for w in ("Delivered", "Delivered, continuing", "Delayed", "Closed, superseded")] == \
        ["complete", "complete", "in_progress", "superseded"]
    text = (legend + "\nAction plan commitments\n| Ref | Commitment | Owner | Target date | Status | Update |\n|---|---|---|---|---|---|\n"
            "| AP1 | Appoint a Neurodiversity Support Manager in every public sector prison. | HMPPS | March 2024 | Delivered | In post since May 2024. |\n"
            "| AP2 | Commission a study of the prevalence of neurodivergence among people in prison. | MoJ | March 2025 | Delayed | Fieldwork began. |\n")
    assert [(r.ref, r.status) for r in recs_of(text)] == [("AP1", "complete"), ("AP2", "in_progress")]


def test_a_register_page_items_marked_by_their_deadline_take_the_latest_status_of_their_history() -> None:
    text = ("Recommendations: Merseyside Police\n\nHow to read the register\n\nStatus key\n\n"
            "- being-progressed – we have looked at the action taken; the work is not finished and the recommendation stays open.\n\n"
            "- complete – we are satisfied that the terms of the recommendation have been met.\n\n"
            "Crime data integrity inspection 2016 (7316)\n\n"
            "Immediately, the force should make sure that reports of violent crime are recorded as crimes whenever the standard is met.\n\n"
            "[on]9th February 2017 [status]awaiting-review[/status][/on][on]28th December 2017 [status]being-progressed[/status][/on]"
            "[on]17th May 2018 [status]complete[/status][/on]\n\n"
            "Crime data integrity inspection 2016 (7318)\n\n"
            "Within six months, the force should make sure that reports of rape are recorded as crimes without delay.\n\n"
            "[on]9th February 2017 [status]awaiting-review[/status][/on][on]17th May 2018 [status]being-progressed[/status][/on]\n")
    recs = recs_of(text)
    assert [(r.text[:12], r.status, r.status_quote) for r in recs] == [("Immediately,", "complete", "complete"),
                                                                       ("Within six m", "in_progress", "being-progressed")]
