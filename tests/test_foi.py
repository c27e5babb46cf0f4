"""FOI: disclosures parsed in the common layouts, applicant-blind storage, precedents and the clock."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import CORPUS, FOI

from ingest import understand
from ingest.foi import exemptions_in, outcome_of, parse_foi
from kb.search.embed import Embedder
from kb.errors import KBError
from kb.foi.records import add_working_days, differences, due, split_request, Precedent
from kb.service import KB

DATA = Path(__file__).resolve().parent / "data" / "foi"
KB_BIN = str(Path(sys.executable).parent / "kb")


def record(name: str, folder: Path = DATA):  # type: ignore[no-untyped-def]
    u = understand(folder / name)
    assert u.meta.kind == "foi_disclosure"
    return u.foi


def test_seed_disclosure() -> None:
    r = record(FOI, CORPUS)
    assert (r.reference, r.disclosed, len(r.questions)) == ("392/2026", "2026-05-08", 2)
    assert r.questions[0].question.startswith("Which static or historical factors")
    assert "Are any behavioural or dynamic indicators" in r.questions[0].question  # the question's second paragraph
    assert "separate high-harm OMU" in r.questions[0].answer and "Stalking Risk Profile" in r.questions[1].answer
    assert r.outcome == "disclosed_in_full" and r.exemptions == []


def test_question_answer_table() -> None:
    r = record("foi-test-table-889-2024.md")
    assert (r.reference, r.received, r.disclosed) == ("889-2024", "2024-10-09", "2024-11-06")
    assert [q.n for q in r.questions] == [1, 2, 3]
    assert r.questions[1].answer == "37 were assessed as high harm."
    assert r.questions[2].exemptions == ["s40(2)"] and r.outcome == "disclosed_in_part"


def test_interleaved_q_and_a_with_section_21() -> None:
    r = record("foi-test-q-a-1204-2025.txt")
    assert (r.reference, r.received, r.disclosed) == ("FOI 1204/2025", "2025-02-03", "2025-02-28")
    assert [q.answer[:12] for q in r.questions] == ["Yes. Perpetr", "There are 24", "The force ap"]
    assert r.questions[2].exemptions == ["s21"]


def test_cost_limit_refusal() -> None:
    r = record("foi-test-cost-limit-77-2025.txt")
    assert r.outcome == "refused" and r.exemptions == ["s12(1)"] and len(r.questions) == 2
    assert all("appropriate limit" in q.answer for q in r.questions)


def test_neither_confirm_nor_deny() -> None:
    r = record("foi-test-ncnd-431-2025.txt")
    assert r.questions[0].exemptions == ["s23(5)", "s40(5)"] and "412" in r.questions[1].answer
    assert outcome_of("We can neither confirm nor deny that we hold this, by virtue of section 23(5).", ["s23(5)"]) == "neither_confirm_nor_deny"
    assert outcome_of("Dyfed-Powys Police does not hold this information.", []) == "not_held"
    assert exemptions_in("exempt under Section 31(1)(a) and s.38, see also section 24") == ["s31(1)(a)", "s38", "s24"]
    assert exemptions_in("section 55 of the Police Act 1996") == []
    # a section named again more exactly is one citation, the exact one
    assert exemptions_in("Section 12 of the Act applies. Section 12(1) makes clear ...; see section 31 and section 31(1)(a).") == ["s12(1)", "s31(1)(a)"]


def test_requester_is_never_indexed(tmp_path: Path, embedder: Embedder) -> None:
    kb = KB(home=str(tmp_path / "h"), embedder=embedder)
    kb.ingest([DATA / "foi-test-table-889-2024.md"])
    db = kb.store.db
    stored = " ".join(r[0] for r in db.execute("SELECT text FROM chunks")) + " ".join(r[0] for r in db.execute("SELECT text FROM chunks_fts"))
    stored += " ".join(kb.vectors.collection.get(include=["documents"])["documents"])
    stored += json.dumps([r.to_json() for r in kb.foi_records()])
    for secret in ("jane.example@example.org", "Ms Example", "Sample Street", "SA31 1AA"):
        assert secret not in stored
    assert kb.search("jane example", mode="lexical") == []


def test_foi_json_on_the_corpus(corpus_kb: KB) -> None:
    out = subprocess.run([KB_BIN, "--home", str(corpus_kb.config.home), "foi", "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    (rec,) = [json.loads(line) for line in out.stdout.splitlines()]
    assert set(rec) >= {"doc", "reference", "received", "disclosed", "topic", "exemptions", "questions"}
    assert (rec["doc"], rec["reference"], rec["disclosed"], len(rec["questions"])) == (FOI, "392/2026", "2026-05-08", 2)


def test_precedents_for_a_new_request(corpus_kb: KB) -> None:
    result = corpus_kb.foi_similar("How are high-harm domestic abuse offenders chosen for management by the force?")
    assert result.documents[0].doc == FOI
    (q,) = result.questions
    assert q.precedents[0].doc == FOI and q.precedents[0].answer and q.precedents[0].chunk_id
    with pytest.raises(KBError):
        corpus_kb.foi_similar("   ")


def test_near_identical_and_differences(tmp_path: Path, embedder: Embedder) -> None:
    kb = KB(home=str(tmp_path / "h"), embedder=embedder)
    kb.ingest([DATA])
    result = kb.foi_similar("Q1 How many officers work in the Offender Management Unit?")
    top = result.questions[0].precedents[0]
    assert top.reference == "FOI 1204/2025" and top.near_identical and "already published" in top.published
    a = Precedent("a.txt", "1/2025", "2025-01-01", "", 1, "q", "There are 24 officers.", [], None, None, 0.9)
    b = Precedent("b.txt", "2/2026", "2026-01-01", "", 1, "q", "There are 31 officers.", ["s40(2)"], None, None, 0.85)
    notes = differences([a, b])
    assert any("exemptions differ" in n for n in notes) and any("figures differ" in n and "24" in n and "31" in n for n in notes)


def test_split_request() -> None:
    assert split_request("1. How many?\n2. Which teams manage them and why?") == ["How many?", "Which teams manage them and why?"]
    assert split_request("I am writing under FOI. Please tell me how many officers there are. Which teams manage offenders?") == [
        "Please tell me how many officers there are.", "Which teams manage offenders?"]
    assert split_request("Q1 Do you use drones for searches?\nQ2 How many drones do you own?") == ["Do you use drones for searches?", "How many drones do you own?"]


def test_clock_over_christmas_and_new_year() -> None:
    c = due("2026-12-18", today=date(2026, 12, 21))
    assert c.due == "2027-01-20"
    assert c.skipped_holidays == ["2026-12-25", "2026-12-28", "2027-01-01"]
    assert c.working_days_left == 19 and c.status == "19 working days left"
    assert add_working_days(date(2026, 12, 18), 1) == date(2026, 12, 21)  # day 1 is the first working day after receipt


def test_clock_clarification_pause_extension_and_overdue() -> None:
    paused = due("2026-03-02", clarified="2026-03-16", today=date(2026, 3, 16))
    assert paused.clock_starts == "2026-03-16" and paused.due == add_working_days(date(2026, 3, 16), 20).isoformat()
    assert paused.due > due("2026-03-02").due
    late = due("2026-01-05", today=date(2026, 2, 10))
    assert late.due == "2026-02-02" and late.working_days_left == -6 and late.status == "overdue by 6 working days"
    assert due("2026-01-05", today=date(2026, 2, 2)).status == "due today"
    assert due("2026-01-05").public_interest_due == add_working_days(date(2026, 1, 5), 40).isoformat()
    with pytest.raises(KBError, match="YYYY-MM-DD"):
        due("18/12/2026")
    with pytest.raises(KBError, match="cannot come before"):
        due("2026-03-02", clarified="2026-03-01")


def test_due_cli() -> None:
    out = subprocess.run([KB_BIN, "foi", "due", "2026-12-18", "--today", "2026-12-21"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "due 2027-01-20" in out.stdout and "2026-12-25, 2026-12-28, 2027-01-01" in out.stdout


@pytest.mark.parametrize(("text", "disclosed"), [
    ("FOI 197/25 Claires Law\nDate: 18/02/25\n\nI am writing about your Freedom of Information request.\n", "2025-02-18"),
    ("Freedom of Information request 24047\n| Dyddiad / Date | 12 November 2024 |\nYour request for information.\n", "2024-11-12"),
    ("Freedom of Information request 2022-125\nVersion date: 04/03/2022\nThe information is held.\n", "2022-03-04"),
    ("Your request for information.\n" + "The information is held and is given below.\n" * 80 + "Yours sincerely\nInformation Compliance\n19th December 2023\n", "2023-12-19"),
    ("Request 1234\nDate closed: 3 June 2024\nWe hold the information.\n", "2024-06-03"),
    ("Our Ref | FOI 11873\nYour Ref: | \nDate: | 14/05/2025\n\nDear Ms Pryce,\n", "2025-05-14"),  # a letterhead table's cells
    ("Request Number: 002407/22\nDate of Decision: 22 June 2022\n\nThe information is held.\n", "2022-06-22"),
    ("| Reference | Subject | Date received | Date of response | Outcome |\n|---|---|---|---|---|\n"
     "| FOI2018/03793 | Unmarked vehicles | 12/07/2018 | 09/08/2018 | Neither confirm nor deny |\n", "2018-08-09"),  # a log table's column
])
def test_disclosed_dates_in_the_wordings_forces_use(text: str, disclosed: str) -> None:
    assert parse_foi(text).disclosed == disclosed


def test_a_request_first_notified_on_a_date_was_received_then() -> None:
    text = "Re: Request for information, first notified to Staffordshire Police on the 16th April 2025.\nWe hold the information.\n"
    assert parse_foi(text).received == "2025-04-16"


def test_a_label_with_its_date_on_the_next_line_is_kept_from_a_side_panel() -> None:
    from ingest.web import _metadata_lines

    panel = "Date published\n03 March 2022\nDate request received\n04 February 2022\n"
    assert _metadata_lines(panel, "Date request received\nDate published") == ["Date published: 03 March 2022", "Date request received: 04 February 2022"]


def test_the_requests_numbered_list_is_its_questions_when_no_answer_is_matched_to_each() -> None:
    record = parse_foi("""Freedom of Information request 2024/1183

You asked for:
1. The number of police officers whose vetting clearance was reviewed
in each year from 2021 to 2024.
2. The number of people whose vetting clearance was suspended or withdrawn.
3. Details of the databases searched.

Response
The force holds this information. The table below sets it out.
1. 2021: 12
""")
    assert [q.question for q in record.questions] == [
        "The number of police officers whose vetting clearance was reviewed in each year from 2021 to 2024.",
        "The number of people whose vetting clearance was suspended or withdrawn.", "Details of the databases searched."]
    assert parse_foi("Response\nThe force holds it.\n1. One line only\n").questions == []


def test_a_correspondence_thread_is_dated_by_the_reply_that_answers() -> None:
    text = """Use of cloud extraction

A Requester made this Freedom of Information request to Merseyside Police

A Requester
14 April 2020

Dear Merseyside Police,
1. Do you use cloud extraction tools?
Yours faithfully,
A Requester

Freedom Of Information, Merseyside Police
14 April 2020

This is an automatic acknowledgement that your email has reached us. You should receive a response within 20 working days.

Freedom Of Information, Merseyside Police
Tuesday 12 May 2020

Dear A Requester
Response
Merseyside Police can neither confirm nor deny that it holds the information, by virtue of section 23(5).
"""
    record = parse_foi(text)
    assert record.disclosed == "2020-05-12"


def test_an_internal_review_is_dated_by_its_decision_and_a_log_by_its_response_not_its_publication() -> None:
    review = parse_foi("Received on 29/04/2024 Our Ref: DC/FOI 931/24\nOriginal decision = 24th May 2024 and the Internal Review (IR) Decision = 5th July 2024.\n")
    assert review.disclosed == "2024-07-05"
    log = parse_foi("Request 123/24\nPublished: 20 June 2024\nDate of request: 2 May 2024\nResponse date: 30 May 2024\nThe information is held.\n")
    assert (log.received, log.disclosed) == ("2024-05-02", "2024-05-30")


@pytest.mark.parametrize(("text", "received"), [
    ("I write in connection with your request for information, dated 4th September 2024, about vetting.", "2024-09-04"),
    ("Thank you for the request referenced above, which you submitted on the 17th May 2022.", "2022-05-17"),
    ("You asked how many Claire's Law applications you have received since the law came into force in March 2014.", None),
    ("We received your request on March 3, 2024.", "2024-03-03"),
    ("| Reference | Subject | Date received | Date of response |\n|---|---|---|---|\n| FOI2018/03793 | Unmarked vehicles | 12/07/2018 | 09/08/2018 |\n",
     "2018-07-12"),  # the cell under the header, not the next column's
    ("6 March 2025\nRef: FOI2025/01135\nI write in connection with your request for information received on 4th February.\n", "2025-02-04"),
    ("Date: 10 January 2025\nYour request, received on 18th December, has been considered.\n", "2024-12-18"),  # the year before the reply's
])
def test_when_a_request_was_received(text: str, received: str | None) -> None:
    assert parse_foi(text).received == received


def test_a_numbered_request_whose_items_list_bullets_and_a_details_table_that_is_no_question_table() -> None:
    text = """| Ein Cyf / Our Ref | 24047 |
| Dyddiad / Date | 12 November 2024 |

Thank you for your request for information, which read as follows:
1. Please provide annual totals of:
- The number of 'right to know' applications
- The number of 'right to ask' applications
2. The longest time it took for a disclosure to be provided in each year.
Response: The figures are below.
"""
    record = parse_foi(text)
    assert [q.question for q in record.questions] == ["The number of 'right to know' applications", "The number of 'right to ask' applications",
                                                       "The longest time it took for a disclosure to be provided in each year."]


@pytest.mark.parametrize(("text", "outcome"), [
    ("Some of the information is provided below. Part 3 would exceed the appropriate limit under section 12.", "disclosed_in_part"),
    ("To answer would exceed the appropriate limit under section 12, so this is a refusal notice.", "refused"),
    ("Durham Constabulary holds the information you asked for, apart from the supplier details, which are not held.", "disclosed_in_part"),
    ("The force does not hold the information you asked for.", "not_held"),
    ("We do not hold the outcomes of hearings. The names of the chairs are exempt under Section 40(2).", "disclosed_in_part"),
    ("Essex Police does not hold the information you have requested. An explanation for each part of your request is given below.", "not_held"),
])
def test_an_outcome_with_part_refused_or_not_held_and_the_rest_given(text: str, outcome: str) -> None:
    assert outcome_of(text, exemptions_in(text)) == outcome


def test_a_table_of_figures_in_the_answer_is_not_the_request() -> None:
    """The numbered request is the questions; the rows of the statistics table in the answer are not."""
    text = """Dear Ms Pryce,
I refer to your request, in which you asked for information in the following terms.
1. The number of people detained in custody in 2024, broken down by custody suite.
2. The number of incidents of self-harm by detainees recorded in custody in 2024.
I can confirm that the force holds the information you have requested.
| Custody suite | Detentions |
| Northern Area custody suite (Stoke-on-Trent) | 4,210 |
| Watling Street custody suite (Cannock) | 3,180 |
"""
    record = parse_foi(text)
    assert [q.question for q in record.questions] == ["The number of people detained in custody in 2024, broken down by custody suite.",
                                                      "The number of incidents of self-harm by detainees recorded in custody in 2024."]


def test_a_bulleted_request_under_a_request_heading_is_its_questions_not_the_responses_numbered_sections() -> None:
    text = ("FOI 002407 Disability hate crime\nRequest Number: 002407/22\nDate of Decision: 22 June 2022\n\nRequest\n"
            "- For the last two financial years please supply the outcome data for disability hate crime\n"
            "- Has your police force employed any trained specialist disability liaison officers?\n"
            "- How many recorded disability hate crimes in each financial year were reported by women victims?\n"
            "Response\nThe figures below were taken from the crime recording system on 14 June 2022.\n"
            "1. Outcomes of disability hate crimes not resulting in a charge\n| Outcome | 2020/21 | 2021/22 |\n"
            "2. Specialist disability liaison officers\nNo. The force did not have any such officers.\n")
    record = parse_foi(text)
    assert [" ".join(q.question.split()[:3]) for q in record.questions] == ["For the last", "Has your police", "How many recorded"]
    assert all("crime recording system" in q.answer for q in record.questions)  # the one response answers every question
    assert [q.n for q in record.questions] == [1, 2, 3] and record.disclosed == "2022-06-22"
    assert text[record.questions[1].start:].startswith("Has your police force")


@pytest.mark.parametrize("text", [
    # each question under a "Request N" line of its own
    "My request relates to stalking. Please provide:\nRequest 1\nThe number of stalking offences recorded, by month.\n"
    "Request 2\nOf the offences at Request 1, the number where the suspect was a partner.\nResponse\nThe figures are below.\n",
    # the request quoted back, its numbers inside the quotation marks
    "I note you seek access to the following information:\n\"1. The number of stalking offences recorded, by month?\n\n"
    "2. Of the offences at 1, the number where the suspect was a partner?\"\n\nThe information is held.\n",
    # a bulleted list under the line that introduces it
    "I note you seek access to the following information:\nUnder the Act, please could you tell me:\n"
    "- The number of stalking offences recorded, by month?\n- Of the offences above, the number where the suspect was a partner?\n"
    "Clarification\nWe asked you to confirm the period.\n",
])
def test_request_layouts_forces_use_give_their_questions(text: str) -> None:
    questions = parse_foi(text).questions
    assert [q.question.split()[:3] for q in questions] == [["The", "number", "of"], ["Of", "the", "offences"]]
    assert all(q.question[:20] in text[q.start:q.start + 24] for q in questions)  # where the item is (its number, then its words)


def test_a_whatdotheyknow_thread_is_dated_by_its_request_and_the_bodys_answer_not_its_request_to_clarify() -> None:
    thread = ("Thefts at railway sites\nClaire Evans made this Freedom of Information request to British Transport Police\n"
              "The request was successful.\n2 December 2011\nDear British Transport Police,\nPlease tell me the number of recorded thefts at "
              "railway stations.\nYours faithfully,\nClaire Evans\nBritish Transport Police\n5 December 2011\nFreedom of Information: Right to "
              "know request 1009-11\nThank you for your request. Could you please tell us which stations you mean? Under section 1(3) of the "
              "Act we are not obliged to deal with your request until we receive this clarification.\nClaire Rogers\nClaire Evans\n"
              "6 December 2011\nThe three Birmingham stations, please.\nBritish Transport Police\n4 January 2012\nFreedom of Information: Right "
              "to know request 1009-11\nI can confirm that British Transport Police holds information relevant to your request: 1,046 "
              "offences were recorded.\nClaire Rogers")
    r = parse_foi(thread, "Thefts at railway sites")
    assert (r.reference, r.received, r.disclosed) == ("1009-11", "2011-12-02", "2012-01-04")


def test_a_date_inside_the_answer_is_not_when_it_was_sent_and_lettered_parts_under_an_item_are_questions() -> None:
    letter = ("Leicestershire Police\nOur Ref: | 004436/13\nAddress Correspondence to: | Steven Morris, Information Management\n"
              "Date | 19 August 2013\n\nFreedom of Information Act 2000 - Operation Aeroscope review\nI write further to your request for "
              "information received on 16/08/2013. I note you seek access to the following information:\n1. A copy of the review of "
              "Operation Aeroscope.\n2. The terms of reference for the review.\n3. Details of:\na. the number of staff who worked on the "
              "review;\nb. the total cost of carrying out the review.\nFollowing receipt of your request, searches were carried out.\n"
              "Question 3\nb) The review started on 24th January 2011 and was completed on 11th March 2011.")
    r = parse_foi(letter)
    assert (r.reference, r.received, r.disclosed) == ("004436/13", "2013-08-16", "2013-08-19")
    assert [q.question[:20] for q in r.questions] == ["A copy of the review", "The terms of referen", "the number of staff ", "the total cost of ca"]
    meta = extract_meta_of(letter)
    assert meta.title == "Freedom of Information Act 2000 - Operation Aeroscope review"


def test_the_acts_own_lettered_list_is_no_question_and_a_bulleted_request_follows_the_line_that_asks() -> None:
    page = ("Crimes over Christmas\n\nReference Number: 20171967\nRequest Date: Monday, 6 November, 2017\nResponse Date: Friday, 1 December, "
            "2017\n\nUnder the Freedom of Information Act, I would like some information about crimes over the Christmas holidays.\n"
            "- How many crimes were reported to the force in the two weeks from 20th December 2016 to 3rd January 2017?\n"
            "- Please give the same figures for the matching two-week periods in the two years before that.\n"
            "The administrator has produced the enclosed spreadsheet.\nWhere exemptions are relied upon, Section 17 of FOIA requires that "
            "we give the applicant a notice which:\na) states that fact\nb) specifies the exemption(s) in question and\nc) states why the "
            "exemption applies.")
    r = parse_foi(page)
    assert [q.question[:16] for q in r.questions] == ["How many crimes ", "Please give the "]
    assert (r.received, r.disclosed) == ("2017-11-06", "2017-12-01")


def extract_meta_of(text: str):  # type: ignore[no-untyped-def]
    from ingest.metadata import extract_meta

    return extract_meta(text, "letter.docx")


def test_a_part_neither_confirmed_nor_denied_beside_figures_given_is_a_disclosure_in_part() -> None:
    text = ("Dear West Midlands Police,\nUnder the Freedom of Information Act 2000 I would like the following information:\n"
            "- How many times Tasers have been deployed on university campuses by the force.\n"
            "- To know whether any disciplinary procedures have been taken against a named officer.\n"
            "Yours faithfully,\nA requester\n"
            "FREEDOM OF INFORMATION REQUEST REFERENCE NUMBER: 9518_15\n"
            "1. Use of Taser on university campuses\nA search of Taser use forms found the following uses at university premises: 3.\n"
            "2. Disciplinary procedures\nThe force can neither confirm nor deny that it holds any information relevant to this part of your request, "
            "by virtue of Section 40(5) of the Act.\n")
    r = parse_foi(text)
    assert r.reference == "9518_15"
    assert [q.question[:20] for q in r.questions] == ["How many times Taser", "To know whether any "]
    assert r.outcome == "disclosed_in_part"
    assert outcome_of("We can neither confirm nor deny whether any information is held, by virtue of section 23(5).", ["s23(5)"]) == "neither_confirm_nor_deny"


def test_a_thread_is_answered_by_the_bodys_first_reply_that_is_not_a_receipt_or_a_request_to_clarify() -> None:
    from ingest.foi_dates import disclosed_date

    text = ("Use of drones\nDaniel Price made this Freedom of Information request to Nottinghamshire Police\n"
            "Daniel Price\n5 June 2015\nDear Nottinghamshire Police,\nPlease provide the number of drones.\n"
            "Freedom of Information, Nottinghamshire Police\n8 June 2015\nDear Mr Price\nYour request will now be considered. "
            "You will receive a response within the statutory timescale.\n"
            "Freedom of Information, Nottinghamshire Police\n1 July 2015\nDear Mr Price\nCould you please clarify the time period for question 7?\n"
            "Daniel Price\n3 July 2015\nDear Freedom of Information Section,\nThe period is 2009 to 2015.\n"
            "Freedom of Information, Nottinghamshire Police\n9 July 2015\nDear Mr Price\nPlease find attached the response to your request. "
            "Nottinghamshire Police does not hold the information.\n")
    assert disclosed_date(text) == "2015-07-09"
