"""Metadata: kind, title, dates, force, FOI reference and the report a response answers."""

from __future__ import annotations

import pytest
from conftest import CORPUS, CSA, FOI, IOM, MAPPA, STALKING

from ingest.clean import clean
from ingest.load import load
from ingest.metadata import extract_meta, find_dates, find_foi_reference


def meta_of(name: str):  # type: ignore[no-untyped-def]
    s = load(CORPUS / name)
    return extract_meta(clean(s).text, s.name)


@pytest.mark.parametrize("name,kind,date", [
    (FOI, "foi_disclosure", "2026-05-08"),
    (MAPPA, "pcc_response", "2022-09-08"),
    (STALKING, "force_response", "2023-06-01"),
    (CSA, "pcc_response", "2026-04-01"),
    (IOM, "guidance", None),
])
def test_kind_and_date_of_each_seed(name: str, kind: str, date: str | None) -> None:
    m = meta_of(name)
    assert m.kind == kind
    assert m.date == date


def test_titles_and_reports() -> None:
    assert meta_of(FOI).title.startswith("FOI 392/2026: The management of violence against women and girls")
    assert meta_of(FOI).foi_reference == "392/2026"
    mappa = meta_of(MAPPA)
    assert mappa.report == "A Joint Thematic Inspection of Multi-Agency Public Protection Arrangements (MAPPA)"
    assert mappa.force == "Dyfed-Powys Police"
    csa = meta_of(CSA)
    assert csa.report == "HMICFRS Report on Policing Online Child Sexual Abuse and Managing Registered Sex Offenders (April 2026)"
    assert csa.date_text == "April 2026"
    assert "2026-10-31" in csa.dates and "2027-04-30" in csa.dates
    assert meta_of(STALKING).report.startswith("the OPCC Report and recommendations from their deep Dive report into Stalking")
    assert meta_of(IOM).title == "High Risk of Reoffending"


def test_date_forms() -> None:
    found = [iso for _, iso, _ in find_dates("8th September 2022, 08/05/2026, 2024-01-31, June 2023, 31 Feb 2024, Sept 3, 2021")]
    assert found == ["2022-09-08", "2026-05-08", "2024-01-31", "2023-06-01", "2021-09-03"]


@pytest.mark.parametrize("text,ref", [
    ("FOI Reference: 392/2026\nRequest:", "392/2026"),
    ("REFERENCE NO: 889-2024\n", "889-2024"),
    ("Our ref: FOI-2025-117\n", "FOI-2025-117"),
    ("Freedom of information request reference no: 01.FOI.22.023166\n", "01.FOI.22.023166"),
    ("Request under the freedom of information act 2000 ref no: FOI2025/01135\n", "FOI2025/01135"),
])
def test_foi_reference_forms(text: str, ref: str) -> None:
    assert find_foi_reference(text, "") == ref


def test_inspection_report_kind() -> None:
    text = "HMICFRS\nAn inspection of vetting\n\nRecommendation 1\nBy 31 October 2026, forces should review vetting."
    assert extract_meta(text).kind == "inspection_report"


@pytest.mark.parametrize(("text", "title", "kind"), [
    # an FOI answer about section 55 responses carries every cue of a PCC's response, and is still an FOI disclosure
    ("AVON & SOMERSET POLICE & CRIME COMMISSIONER\nOur Ref: FOI 007/20\nThank you for your request for information under the Freedom of "
     "Information Act 2000, which the Office of the Police and Crime Commissioner received on 10 February 2020.\n1. Please list every report "
     "to which the Commissioner has published a response under section 55 of the Police Act 1996.\nI am pleased to enclose them.",
     "Our Ref: FOI 007/20", "foi_disclosure"),
    ("Posted on 2 November 2022\nThe Police and Crime Commissioner has today published his response to the HMICFRS report on vetting.",
     "My statement on the HMICFRS report", "pcc_response"),
    ("Text size A A A\nPolice and Crime Commissioner marks the Chief Constable's first year\nMr Cuthbert said: \"A year like no other.\"",
     "Police and Crime Commissioner marks Chief Constable's first year", "other"),  # names no inspection, review or recommendation
    ("Recommendations and areas for improvement: West Mercia Police\nHMIC recommends that the force should immediately: conduct a review.",
     "Recommendations and areas for improvement: West Mercia Police", "inspection_report"),
    # a force's page titled "Response to the ... report", with the College of Policing and the PCC named in passing
    ("Bedfordshire Police\nResponse to the Criminal Justice Alliance stop and search section 60 super-complaint report\nThe College of "
     "Policing and the Police and Crime Commissioner were consulted.\nRecommendation 1: Chief Constables should publish section 60 data.",
     "Response to the Criminal Justice Alliance stop and search section 60 super-complaint report", "force_response"),
    # an annual report that mentions the inspectorate's recommendations is still an annual report
    ("Police and Crime Commissioner for Merseyside\nChallenging policing landscape - sixth annual report\nHMICFRS inspected the force and "
     "made recommendations. The Chief Constable said: \"We are making progress.\"", "Challenging policing landscape - sixth annual report", "other"),
])
def test_kind_from_what_the_document_does(text: str, title: str, kind: str) -> None:
    from ingest.kind import classify

    assert classify(text, title).kind == kind


@pytest.mark.parametrize(("text", "title"), [
    ("DEVON & CORNWALL POLICE\nOffice of the Chief Constable\nMiddlemoor\nExeter\nEX2 7RP\n\nRe: Community Speed Watch Scrutiny Review\n\nDear Alison,\n",
     "Community Speed Watch Scrutiny Review"),
    ("Information Rights Unit\nPO Box 313\nSidcup DA15 0HH\n\nFreedom of Information Request Reference No: 01/FOI/24/041193\n\nI write in connection.\n",
     "Freedom of Information Request Reference No: 01/FOI/24/041193"),
    ("Home Report it Contact us News Advice Your area About us Jobs\n\nOur response to the HMIC and HMIP custody inspection report\n\nText.\n",
     "Our response to the HMIC and HMIP custody inspection report"),
    ("Home > Monitoring > Northumbria Police\n\nRecommendations and areas for improvement: Northumbria Police\n\nText.\n",
     "Recommendations and areas for improvement: Northumbria Police"),
    ("The Rt Hon James Cleverly MP\nHome Secretary\n\nResponse to the HMICFRS inspection of vetting\n\nDear Home Secretary,\n",
     "Response to the HMICFRS inspection of vetting"),
    ("Police and Crime Commissioner for Dyfed-Powys response to\nA Joint Thematic Inspection of MAPPA\n\nText.\n",
     "Police and Crime Commissioner for Dyfed-Powys response to A Joint Thematic Inspection of MAPPA"),
    ("Swyddfa Comisiynydd Heddlu a Throseddu Gwent\nOffice of the Police and Crime Commissioner for Gwent\n\nFreedom of Information request 24047\n\nText.\n",
     "Freedom of Information request 24047"),
    ("* Home\n* About\n* Police and Crime Plan\n\nCommissioner's response to the HMICFRS report\n\nText.\n", "Commissioner's response to the HMICFRS report"),
    ("GLOUCESTERSHIRE POLICE AND CRIME PANEL\n\nDate: Friday 24 November 2023, 10.00 am\nVenue: Council Chamber, Shire Hall\n\nHMICFRS Improvement Plan Update\n\n"
     "1.1 To update the Panel.\n", "HMICFRS Improvement Plan Update"),
    ("Ms R Madeup\nTelephone: 101\nDirect dial: 01865 542051\n[email-removed]\nDate of request: 2 May 2024\nYour ref\n\nHQ/PA/004127/24 DASH risk assessments\n\nText.\n",
     "HQ/PA/004127/24 DASH risk assessments"),
    ("[Skip to main content](#content) | Visit Victim Care Merseyside | Text size: A A A\n\nPCC's sixth Annual Report published\n\nText.\n",
     "PCC's sixth Annual Report published"),
    ("Barnsley Metropolitan Borough Council - Host Authority\nOur reference: DA/HMICFRS/24/06\nEnquiries to: Governance Manager\nSent on: 9 December 2025\n\n"
     "Lincolnshire Police: revisit of causes of concern\nIntroduction\nOn 6 December 2024 we wrote to the force.\n", "Lincolnshire Police: revisit of causes of concern"),
    ("Surrey Police\nPO Box 101\nGuildford GU1 9PE\n01483 630007\n31st March 2025\n\nFREEDOM OF INFORMATION REQUEST REFERENCE NO: 001127/25\n\nText.\n",
     "FREEDOM OF INFORMATION REQUEST REFERENCE NO: 001127/25"),  # a letterhead's telephone number
])
def test_the_title_is_never_a_masthead(text: str, title: str) -> None:
    from ingest.metadata import find_title

    assert find_title(text) == title


def test_a_labelled_date_or_reference_is_never_a_heading() -> None:
    from ingest.structure import is_heading

    assert not is_heading("Date published: 03 March 2022", "") and not is_heading("FOI reference: 16717", "")
    assert is_heading("Theme 1: Getting groups started", "") and is_heading("Areas for improvement", "")


def test_a_paper_to_a_panel_about_an_inspection_is_not_the_inspectorates() -> None:
    from ingest.kind import classify

    text = ("WEST MERCIA POLICE AND CRIME PANEL\n8 NOVEMBER 2019\nHER MAJESTY'S INSPECTORATE OF CONSTABULARY (HMICFRS) INSPECTION REPORT\n"
            "Recommendation\n1. Members of the Panel are invited to consider the report.\nBackground\n2. HMICFRS inspected the force.\n")
    verdict = classify(text, "HER MAJESTY'S INSPECTORATE OF CONSTABULARY (HMICFRS) INSPECTION REPORT")
    assert verdict.kind == "pcc_response" and any("panel or committee" in r for r in verdict.reasons)


def test_a_saved_page_is_dated_by_its_own_date_when_no_labelled_date_is_printed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ingest import understand

    body = " ".join(["The force answered the request about stalking offences and the relationship of each victim to the suspect."] * 8)
    page = (f'<html><head><title>Stalking offences</title></head><body><header><nav><a href="/">Home</a></nav></header>'
            f'<main><article><h1>Stalking offences</h1><span class="date">March 12, 2024</span><p>{body}</p><p>{body}</p></article></main>'
            f'<footer>Police Service of Northern Ireland</footer></body></html>')
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    u = understand(path)
    assert u.meta.date == "2024-03-12"
    assert all(len(c.text) >= 150 for c in u.chunks)  # the date joins a passage rather than standing alone


@pytest.mark.parametrize(("text", "title"), [
    ("Information Rights\nDirect Line: 01622 652610\nMr A Requester\n12 June 2024\n\nFreedom of Information Request 24/04/0615\n\n"
     "Dear Mr Requester,\nThank you for your request for information. Section 40(2) applies. The information is held.\n",
     "Freedom of Information Request 24/04/0615"),
    ("Freedom of Information Section\nNottinghamshire Police\n\nRequest under the Freedom of Information Act 2000 (FOIA)\n\n"
     "Your request for information has been considered. We can neither confirm nor deny that we hold it (section 31(3)).\n",
     "Request under the Freedom of Information Act 2000 (FOIA)"),
])
def test_a_response_letters_heading_is_its_title_not_its_letterhead(text: str, title: str) -> None:
    meta = extract_meta(text)
    assert meta.kind == "foi_disclosure" and meta.title == title


def test_a_requests_byline_and_a_letters_first_words_are_not_its_title() -> None:
    page = ("Thefts at railway sites\nClaire Evans made this Freedom of Information request to British Transport Police\n"
            "The request was successful.\n2 December 2011\nDear British Transport Police,\nI am writing to ask for information.")
    assert extract_meta(page, "p.html").title == "Thefts at railway sites"
    letter = ("Leicestershire Police\nOur Ref: | 004436/13\nAddress Correspondence to: | Steven Morris, Information Management\n"
              "Date | 19 August 2013\n\nOperation Aeroscope review\nI write further to your request for information received on 16/08/2013.")
    assert extract_meta(letter, "l.docx").title == "Operation Aeroscope review"


def test_letterhead_details_phone_lines_and_addressees_are_not_titles() -> None:
    from ingest.metadata import find_title

    assert find_title("SUSSEX POLICE\nOur Ref: FOI 0563/08\nContact Name: Tim Mahony\nTel. Extension: 44557\n"
                      "Freedom of Information Request - communications with the council about a film screening\nI write in connection with your request.\n") \
        == "Freedom of Information Request - communications with the council about a film screening"
    assert find_title("Piccadilly Gate\nManchester\nM1 2WD\n\nT 0300 123 1231\nTextphone 0161 618 8524\n\n28 October 2016\n\n"
                      "Ian Hopkins, Chief Constable of Greater Manchester police force\nSimon Westwood, Chair of Salford LSCB\n\n"
                      "Dear local partnership\n\nJoint targeted area inspection of the response to abuse in Salford\n\n"
                      "1. Between 12 and 16 September 2016 the inspectorates carried out a joint inspection.\n") \
        == "Joint targeted area inspection of the response to abuse in Salford"


def test_a_cover_month_and_a_labelled_response_date_date_the_document() -> None:
    from ingest.metadata import extract_meta

    assert extract_meta("PEEL 2023-2025\nAn inspection of Gloucestershire Constabulary\nMarch 2024\n\nContents\n").date == "2024-03-01"
    meta = extract_meta("Commissioner's response to HMICFRS report\n\n| Published by HMICFRS | 8 March 2023 |\n| Date of response | 2 May 2023 |\n\n"
                        "1. Police and Crime Commissioner's comments\n")
    assert meta.date == "2023-05-02"


def test_a_request_thread_under_a_site_banner_takes_the_line_above_its_byline() -> None:
    from ingest.metadata import extract_meta

    text = ("- Make a request\n\n- Browse requests\n\nSign in or sign up\n\n"
            "WhatDoTheyKnow is run by a small charity and depends on your support. Donate now to keep Freedom of Information working. Close\n\n"
            "Use of unmanned aerial vehicles (UAVs)\n\nDaniel Price made this Freedom of Information request to Nottinghamshire Police\n\n"
            "Dear Nottinghamshire Police,\n\nPlease provide the number of drones the force owns.\n")
    assert extract_meta(text).title == "Use of unmanned aerial vehicles (UAVs)"
