"""A deterministic generator of a realistic corpus for the benchmark: inspection reports with
numbered recommendations and areas for improvement, PCC and force responses quoting them with
status updates, and FOI disclosure-log entries, as multi-page PDFs and .txt/.md files.

The shapes follow corpus/ (the real documents) so that the pipeline's parsers recognise them:
"Recommendation N" blocks and "By <date>, forces should:" lead-ins with lettered parts, numbered
recommendations under theme headings, "Request:" / "Response N:" and "Q1 / A1" disclosures with
FOIA exemptions. Text is built by slot-filling topic banks (VAWG, stalking, custody, MAPPA,
IOM, online CSA, call handling, stop and search, ...), so search is not trivial.

Run: ``python -m evals.gencorpus OUT_DIR [--pages 2000] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import textwrap
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from evals.pdfwrite import text_stream, write_pdf

WORDS_PER_PAGE = (350, 450)  # a PDF page of text, as the issue asks
TEXT_PAGE_WORDS = 400  # the page equivalent of a .txt/.md file

FORCES = [
    "Dyfed-Powys", "Gwent", "South Wales", "North Wales", "Avon and Somerset", "Devon and Cornwall", "West Mercia",
    "Thames Valley", "Hampshire", "Cumbria", "Lancashire", "Cheshire", "Durham", "Northumbria", "Norfolk", "Suffolk",
    "Kent", "Sussex", "Surrey", "Wiltshire", "Gloucestershire", "Staffordshire", "Derbyshire", "Lincolnshire",
]
SURNAMES = ["Evans", "Jones", "Davies", "Williams", "Thomas", "Roberts", "Hughes", "Lewis", "Morgan", "Griffiths", "Price",
            "Owen", "Harris", "Clarke", "Walker", "Patel", "Khan", "Murphy", "Bennett", "Edwards", "Howells", "Pritchard"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
BOARDS = ["VAWG Delivery Group", "Strategic Performance Board", "Public Protection Board", "Policing Accountability Board",
          "Force Assurance Board", "Local Criminal Justice Board", "Vulnerability Governance Group", "Joint Audit Committee"]
UNITS = ["Public Protection Unit", "Force Control Room", "Offender Management Unit", "Criminal Investigation Department",
         "Professional Standards Department", "Vulnerability Hub", "Neighbourhood Policing Team", "Safeguarding Hub",
         "Custody Directorate", "Quality Assurance Team", "Learning and Development Team", "Digital Forensics Unit"]
PLACES = ["Carmarthen", "Aberystwyth", "Llanelli", "Haverfordwest", "Newtown", "Brecon", "Swansea", "Newport", "Bangor",
          "Wrexham", "Exeter", "Truro", "Worcester", "Shrewsbury", "Reading", "Oxford", "Winchester", "Carlisle", "Preston",
          "Chester", "Durham", "Norwich", "Ipswich", "Maidstone", "Lewes", "Guildford", "Swindon", "Gloucester", "Stafford"]


@dataclass
class Topic:
    """One policing theme: the words its documents use."""

    key: str
    name: str  # as it reads in a title
    acronyms: list[tuple[str, str]]
    report_titles: list[str]
    subjects: list[str]  # who or what a finding is about
    findings: list[str]  # predicates: "did not always ..." (a subject goes before)
    actions: list[str]  # what a recommendation asks: "make sure that ..."
    improvements: list[str]  # area for improvement: "The force should improve ..."
    done: list[str]  # what a response says was done
    foi: list[tuple[str, str]]  # (question, answer) templates; {n}, {m}, {year} filled in


TOPICS: list[Topic] = [
    Topic(
        "vawg", "violence against women and girls",
        [("VAWG", "Violence Against Women and Girls"), ("MARAC", "Multi-Agency Risk Assessment Conference"), ("DASH", "Domestic Abuse, Stalking, Harassment and Honour-based violence")],
        ["An inspection of how the police tackle violence against women and girls", "Violence against women and girls: a national thematic inspection",
         "How well the police tackle violence against women and girls in public spaces"],
        ["victims of domestic abuse", "officers attending reports of domestic abuse", "the force's VAWG action plan", "supervisors reviewing VAWG investigations",
         "repeat victims of domestic abuse", "the force's approach to relentless perpetrator pursuit", "women reporting sexual harassment in the night-time economy"],
        ["did not always receive a completed DASH risk assessment at the first visit", "were referred to independent domestic violence advisers in most cases",
         "did not consistently record the voice of the victim", "were not always told about the Domestic Violence Disclosure Scheme",
         "had not been reviewed against the national VAWG framework", "made good use of domestic violence protection notices and orders",
         "did not routinely identify the highest-harm perpetrators", "lacked a clear owner for each action", "were well supported by specialist staff"],
        ["make sure that every domestic abuse incident is risk assessed at the first point of contact",
         "identify and actively manage the most harmful VAWG perpetrators using a recognised prioritisation tool",
         "make sure that the voice of the victim is recorded and considered in every investigation",
         "review how domestic violence protection orders are applied for and how breaches are enforced",
         "publish a VAWG delivery plan with measurable outcomes and a named chief officer lead",
         "make sure that MARAC referrals are made within the timescales set out in national guidance"],
        ["how it records the victim's voice in domestic abuse investigations", "the supervision of VAWG investigations", "its use of Clare's Law disclosures",
         "the quality of DASH risk assessments completed by response officers", "how it shares information with MARAC partners"],
        ["a VAWG performance dashboard has been introduced for every district", "all response officers have completed Domestic Abuse Matters training",
         "a perpetrator tasking meeting now reviews the top 20 high-harm offenders each month", "MARAC referrals are audited monthly by the Safeguarding Hub",
         "a VAWG problem-solving plan is in place for each night-time economy area"],
        [("How many domestic abuse related incidents did the force record in {year}?", "In {year} the force recorded {n} domestic abuse related incidents, of which {m} were classified as crimes."),
         ("How many Domestic Violence Protection Orders were granted in {year}?", "{n} Domestic Violence Protection Orders were granted by magistrates in {year}."),
         ("How many officers are dedicated to tackling violence against women and girls?", "There are {n} officers and {m} police staff in the dedicated VAWG team.")],
    ),
    Topic(
        "stalking", "stalking and harassment",
        [("SPO", "Stalking Protection Order"), ("SRP", "Stalking Risk Profile"), ("S-DASH", "Stalking Domestic Abuse Stalking and Harassment")],
        ["An inspection of how well the police tackle stalking and harassment", "Stalking and harassment: a joint thematic inspection",
         "A review of the police use of stalking protection orders"],
        ["victims of stalking", "stalking champions", "officers investigating harassment", "the force's civil orders officer", "call handlers taking reports of stalking",
         "investigations of cyber-stalking", "applications for stalking protection orders"],
        ["did not always recognise the behaviour as stalking at the first report", "were not routinely offered a referral to a specialist stalking advocate",
         "were not always recorded as the correct crime type", "made little use of interim stalking protection orders",
         "had received up-to-date training on the stalking risk profile", "were well placed to advise colleagues on civil orders",
         "did not consistently use the S-DASH risk assessment", "took too long to progress in some of the cases we examined"],
        ["make sure that officers and staff recognise stalking behaviour and record it as the correct crime type",
         "review the use of stalking protection orders, including interim orders, and monitor breaches",
         "make sure that every victim of stalking is offered a referral to a specialist advocacy service",
         "establish a network of trained stalking champions with protected time for the role",
         "introduce a process to monitor offenders subject to all civil orders"],
        ["how it identifies stalking at the first point of contact", "its use of stalking protection orders", "the training given to stalking champions",
         "how it records harassment and stalking crimes", "the support offered to victims of cyber-stalking"],
        ["a civil orders officer has been appointed to monitor every stalking protection order", "the stalking champion network now covers every district",
         "a stalking clinic with the psychology service meets fortnightly", "all stalking crimes are reviewed within 24 hours by a detective sergeant",
         "the force applied for 31 stalking protection orders in the last year"],
        [("How many stalking protection orders has the force applied for since {year}?", "Since {year} the force has applied for {n} stalking protection orders; {m} were granted."),
         ("How many reports of stalking were recorded in {year}?", "{n} crimes of stalking were recorded in {year}, and {m} crimes of harassment."),
         ("Does the force have stalking champions, and how many?", "Yes. The force has {n} trained stalking champions across its districts.")],
    ),
    Topic(
        "custody", "custody and the care of detainees",
        [("PACE", "Police and Criminal Evidence Act 1984"), ("HCP", "Healthcare Professional"), ("AA", "Appropriate Adult")],
        ["Report on an unannounced inspection visit to police custody suites", "Custody inspection: the treatment and conditions of detainees",
         "Joint inspection of police custody in {force}"],
        ["detainees", "custody sergeants", "children held in custody overnight", "the custody healthcare provider", "appropriate adults",
         "strip searches of children", "detention officers completing cell checks", "custody records"],
        ["were not always told their rights and entitlements in a way they understood", "did not consistently record the reason for using force",
         "were held for longer than necessary while awaiting transfer", "had timely access to a healthcare professional in most cases",
         "did not always have an appropriate adult present during a strip search", "were well maintained and clean",
         "did not reliably record rousing checks for intoxicated detainees", "showed that the use of anti-rip clothing was not always justified"],
        ["make sure that children are not detained overnight in custody unless there is no alternative, and that every case is reviewed by an inspector",
         "make sure that every use of force in custody is recorded, justified and reviewed",
         "make sure that strip searches are proportionate and that an appropriate adult is present for every child",
         "improve the timeliness of mental health assessments for detainees",
         "make sure that detainees are released safely, with a pre-release risk assessment completed and acted on"],
        ["the recording of use of force in custody", "the oversight of strip searches of children", "the timeliness of appropriate adult attendance",
         "pre-release risk assessments", "the management of detainees with mental health needs"],
        ["a custody use of force scrutiny panel now meets quarterly", "every strip search of a child is reviewed by an inspector within 24 hours",
         "an appropriate adult service is available around the clock in all custody suites", "a new pre-release risk assessment template is in place",
         "liaison and diversion practitioners are present in custody seven days a week"],
        [("How many children were detained overnight in police custody in {year}?", "In {year}, {n} children were detained overnight; in {m} cases a local authority bed was requested."),
         ("How many strip searches of children were carried out in {year}?", "{n} strip searches of children were recorded in {year}."),
         ("How many deaths or serious injuries in custody were referred to the IOPC since {year}?", "Since {year}, {n} cases were referred to the Independent Office for Police Conduct.")],
    ),
    Topic(
        "mappa", "multi-agency public protection arrangements",
        [("MAPPA", "Multi-Agency Public Protection Arrangements"), ("ViSOR", "Violent and Sex Offender Register"), ("SMB", "Strategic Management Board")],
        ["A joint thematic inspection of multi-agency public protection arrangements", "MAPPA: how well agencies manage the risk of serious harm",
         "An inspection of the management of violent and sexual offenders"],
        ["MAPPA chairs", "offender managers", "Category 3 referrals", "the MAPPA Strategic Management Board", "MAPPA level 2 and 3 meetings",
         "information held on ViSOR", "police and probation practitioners"],
        ["were not always made for high-risk domestic abuse perpetrators", "did not consistently record actions and owners in the minutes",
         "had received training on preparing for multi-agency meetings", "did not always update ViSOR within the required timescales",
         "shared information well across agencies", "lacked oversight of the quality of risk management plans",
         "were not clear about the threshold for Category 3 management"],
        ["make sure that Category 3 referrals are made for individuals who present a high risk of domestic abuse where multi-agency management would add value",
         "make sure that all MAPPA nominals managed at levels 2 and 3 are allocated to a suitably trained police offender manager",
         "put in place a comprehensive training strategy for all staff involved in the MAPPA process",
         "review workloads for staff managing sexual offenders against national expectations",
         "make sure that ViSOR records are complete and updated within three working days"],
        ["the quality of MAPPA minutes", "the timeliness of ViSOR updates", "its use of Category 3 referrals", "the training of MAPPA chairs"],
        ["all MAPPA chairs attend an induction session with the MAPPA coordinator", "ViSOR compliance is reported monthly to the Strategic Management Board",
         "a MAPPA chairs newsletter shares learning from audits", "the Category 3 referral process has been reviewed with the probation service"],
        [("How many MAPPA eligible offenders were managed at level 2 or 3 in {year}?", "At the end of {year}, {n} offenders were managed at level 2 and {m} at level 3."),
         ("How many registered sex offenders are managed by the force?", "There are {n} registered sex offenders managed by the Management of Sexual or Violent Offenders teams.")],
    ),
    Topic(
        "iom", "integrated offender management",
        [("IOM", "Integrated Offender Management"), ("RFG", "Recency, Frequency, Gravity"), ("ETE", "Education, Training and Employment")],
        ["An inspection of integrated offender management", "Integrated offender management: a joint thematic review",
         "How well neighbourhood crime offenders are managed through IOM"],
        ["the IOM cohort", "IOM officers", "prolific neighbourhood crime offenders", "partnership panels", "the free cohort", "offenders released from prison"],
        ["was selected using the Recency, Frequency, Gravity scoring tool", "did not always include domestic abuse perpetrators where appropriate",
         "were given help with accommodation and education, training and employment", "met regularly to review the cohort",
         "did not have a shared performance framework across agencies", "were not always visited within ten days of release"],
        ["review the selection of the IOM cohort to make sure it includes those who cause the most harm",
         "agree a shared performance framework with partners that measures reoffending",
         "make sure that IOM offenders released from prison are visited within the agreed timescales",
         "make sure that IOM staff are trained to manage domestic abuse perpetrators"],
        ["its use of the free cohort", "the measurement of reoffending by IOM offenders", "how it works with housing providers"],
        ["the IOM cohort is reviewed at a monthly multi-agency panel", "a reoffending measure has been agreed with the probation service",
         "IOM officers are trained to the same standard as MOSOVO staff", "an accommodation officer is co-located with the IOM team"],
        [("How many offenders were in the IOM cohort in {year}?", "In {year} the IOM cohort comprised {n} offenders, including {m} in the free cohort."),
         ("What is the reoffending rate of the IOM cohort?", "The proven reoffending rate for the {year} cohort was {p}%.")],
    ),
    Topic(
        "csa", "online child sexual abuse",
        [("POLIT", "Paedophile Online Investigation Team"), ("KIRAT", "Kent Internet Risk Assessment Tool"), ("RSO", "Registered Sex Offender"),
         ("ARMS", "Active Risk Management System"), ("CAID", "Child Abuse Image Database")],
        ["Policing online child sexual abuse and managing registered sex offenders", "An inspection of how the police investigate online child sexual abuse and exploitation",
         "How well forces protect children from online sexual abuse"],
        ["referrals from the National Crime Agency", "online child sexual abuse investigations", "POLIT officers", "registered sex offenders",
         "ARMS assessments", "suspects on bail", "digital forensic examinations", "home visits to registered sex offenders"],
        ["were not always prioritised using the Kent internet risk assessment tool", "waited several months for a digital forensic examination",
         "did not have bail conditions checked during the bail period", "were managed by staff with unmanageable workloads",
         "were completed on time in most of the cases we reviewed", "were not always unannounced", "were supported by well-trained specialist officers"],
        ["review existing practices to make sure they use the Kent internet risk assessment tool to prioritise referrals for all child and adult suspects",
         "review staffing levels in online child sexual abuse teams to make sure that they have enough officers to manage demand",
         "make sure that arrest and bail is considered and recorded for all suspects",
         "make sure that third-party support is in place for the families of online child sexual abuse suspects",
         "make sure that supervisors review active risk management system assessments, risk management plans and visits within one month"],
        ["the timeliness of digital forensic examinations", "how it prioritises NCA referrals", "the management of registered sex offenders' devices"],
        ["KIRAT is used for every referral received from the National Crime Agency", "a triage team now reviews devices within 48 hours of seizure",
         "signposting to third-party support is routinely provided to suspects' families", "ARMS assessments are tracked on a performance dashboard"],
        [("How many referrals did the force receive from the National Crime Agency in {year}?", "The force received {n} referrals from the National Crime Agency in {year}."),
         ("How many officers work in the Paedophile Online Investigation Team?", "There are {n} officers and {m} staff in the Paedophile Online Investigation Team.")],
    ),
    Topic(
        "calls", "call handling and the response to the public",
        [("THRIVE", "Threat, Harm, Risk, Investigation, Vulnerability and Engagement"), ("FCR", "Force Control Room"), ("SLA", "Service Level Agreement")],
        ["An inspection of police call handling and attendance", "PEEL 2025: police effectiveness, efficiency and legitimacy",
         "How well forces answer and respond to emergency and non-emergency calls"],
        ["999 calls", "101 calls", "call handlers", "the force control room", "calls from vulnerable people", "emergency response times",
         "callers who abandoned their call"],
        ["were answered within ten seconds in most cases", "were not always assessed using THRIVE", "waited too long for an officer to attend",
         "did not consistently identify repeat victims", "abandoned too many non-emergency calls", "were not given advice on preserving evidence",
         "had a clear understanding of vulnerability"],
        ["make sure that it answers emergency calls promptly and meets the national standard of 90 percent within ten seconds",
         "make sure that call handlers identify vulnerability and repeat victims using a structured assessment",
         "reduce the number of abandoned 101 calls and monitor the time callers wait",
         "make sure that it attends incidents within the timescales it sets and tells callers when there will be a delay"],
        ["the time taken to answer 101 calls", "how call handlers use THRIVE", "the advice given to callers about preserving evidence",
         "how it tells victims about delays in attendance"],
        ["a call-back service for 101 has been introduced", "THRIVE is embedded practice in the control room", "27 additional call handlers have been recruited",
         "a demand management team now reviews every delayed attendance"],
        [("What percentage of 999 calls were answered within 10 seconds in {year}?", "In {year}, {p}% of 999 calls were answered within 10 seconds."),
         ("How many 101 calls were abandoned in {year}?", "{n} non-emergency calls were abandoned in {year}; the average wait was {m} seconds.")],
    ),
    Topic(
        "stopsearch", "stop and search",
        [("BWV", "Body-Worn Video"), ("PACE", "Police and Criminal Evidence Act 1984"), ("s60", "section 60 Criminal Justice and Public Order Act 1994")],
        ["Disproportionate use of police powers: stop and search", "An inspection of the fair use of stop and search and use of force",
         "Stop and search: legitimacy and scrutiny"],
        ["stop and search records", "officers using stop and search", "body-worn video footage", "the community scrutiny panel",
         "searches of people from ethnic minority backgrounds", "searches for drugs", "supervisors"],
        ["did not always record reasonable grounds", "was not switched on for every search", "reviewed a sample of records every quarter",
         "were disproportionate compared with the local population", "did not routinely review body-worn video", "found items in a fifth of cases"],
        ["make sure that officers record reasonable grounds for every search and that supervisors review them",
         "make sure that body-worn video is switched on for every stop and search and that footage is reviewed",
         "explain and publish its analysis of disproportionality in the use of stop and search",
         "make sure that external scrutiny panels review a representative sample of searches"],
        ["the recording of grounds for stop and search", "the supervision of searches", "its analysis of disproportionality"],
        ["every stop and search record is now reviewed by a supervisor within 72 hours", "body-worn video activation is monitored weekly",
         "a community scrutiny panel reviews 30 records each quarter", "disproportionality data is published on the force website"],
        [("How many stop and searches were carried out in {year}?", "In {year} officers carried out {n} stop and searches; {m} led to an arrest."),
         ("How many section 60 authorisations were made since {year}?", "There were {n} section 60 authorisations since {year}.")],
    ),
    Topic(
        "rasso", "rape and serious sexual offences",
        [("RASSO", "Rape and Serious Sexual Offences"), ("ISVA", "Independent Sexual Violence Adviser"), ("SARC", "Sexual Assault Referral Centre")],
        ["An inspection of how the police investigate rape", "Operation Soteria: the joint national operating model for rape investigation",
         "A joint thematic inspection of rape investigation and prosecution"],
        ["rape investigations", "victims of rape", "specially trained officers", "the Sexual Assault Referral Centre", "ISVAs", "suspects"],
        ["were not always allocated to a specially trained officer", "waited too long for the return of their mobile phones",
         "did not consistently focus on the suspect's behaviour", "were referred to an ISVA in most of the cases we examined",
         "took on average over a year to reach a charging decision", "were well supported by the SARC"],
        ["adopt the national operating model for rape investigation and make sure that investigations focus on the suspect",
         "make sure that victims' mobile phones are returned within 24 hours where possible",
         "make sure that every victim of rape is referred to an independent sexual violence adviser",
         "review the workloads of rape investigators and make sure that they receive wellbeing support"],
        ["the timeliness of rape investigations", "how it keeps victims informed", "the supervision of RASSO investigations"],
        ["the Operation Soteria operating model has been fully implemented", "a dedicated RASSO team has been established",
         "victims' phones are now examined with a selective extraction tool", "ISVAs are co-located in the investigation hub"],
        [("How many rapes were recorded in {year}, and how many resulted in a charge?", "{n} rapes were recorded in {year}; {m} resulted in a charge or summons."),
         ("What is the average time from report to charge for rape?", "The average time from report to charge in {year} was {n} days.")],
    ),
    Topic(
        "vetting", "vetting and counter-corruption",
        [("PSD", "Professional Standards Department"), ("ACU", "Anti-Corruption Unit"), ("APSP", "Abuse of Position for a Sexual Purpose")],
        ["An inspection of vetting, misconduct and misogyny in the police service", "How well forces prevent and detect abuse of position for a sexual purpose",
         "Counter-corruption: a national thematic inspection"],
        ["vetting decisions", "the Anti-Corruption Unit", "officers who had been reported for misconduct", "the Professional Standards Department",
         "reports of abuse of position for a sexual purpose", "IT monitoring"],
        ["were not always recorded with a clear rationale", "did not have enough staff to assess intelligence", "were not always suspended or restricted",
         "treated abuse of position for a sexual purpose as serious corruption", "did not monitor all force systems",
         "were completed on time in most cases"],
        ["make sure that vetting decisions record a clear rationale and are reviewed when new information comes to light",
         "make sure that the Anti-Corruption Unit has enough capacity to assess and develop all intelligence",
         "make sure that it can monitor all its IT systems to identify data breaches and abuse of position",
         "make sure that all officers and staff are re-vetted before their clearance expires"],
        ["its use of IT monitoring", "the recording of vetting rationale", "how it promotes its confidential reporting line"],
        ["full IT monitoring software is now in place across all force systems", "an additional 6 investigators have joined the Anti-Corruption Unit",
         "every vetting decision now records its rationale", "a re-vetting programme has been completed"],
        [("How many officers were dismissed following gross misconduct hearings in {year}?", "In {year}, {n} officers were dismissed following gross misconduct hearings."),
         ("How many vetting applications were refused in {year}?", "{n} vetting applications were refused in {year}, out of {m} received.")],
    ),
    Topic(
        "mentalhealth", "mental health and Right Care, Right Person",
        [("RCRP", "Right Care, Right Person"), ("s136", "section 136 Mental Health Act 1983"), ("NHS", "National Health Service")],
        ["A joint thematic inspection of how the police work with people with mental health needs", "Right Care, Right Person: progress in policing",
         "Policing and mental health: picking up the pieces"],
        ["people detained under section 136", "calls involving mental health", "officers", "the street triage service", "health partners",
         "people in mental health crisis"],
        ["were taken to a health-based place of safety in most cases", "were not always flagged as involving mental health",
         "spent many hours waiting with patients in emergency departments", "was available only in the evenings",
         "had agreed the Right Care, Right Person approach", "did not receive a timely assessment"],
        ["make sure that it records mental health demand accurately and shares the data with health partners",
         "agree with health partners how Right Care, Right Person will be implemented and reviewed",
         "make sure that people detained under section 136 are taken to a health-based place of safety"],
        ["how it records mental health demand", "its work with health partners on Right Care, Right Person"],
        ["Right Care, Right Person has been introduced for welfare checks", "a mental health nurse works in the control room",
         "section 136 detentions are reviewed monthly with the health board"],
        [("How many people were detained under section 136 in {year}?", "{n} people were detained under section 136 of the Mental Health Act in {year}."),
         ("How many hours did officers spend in emergency departments in {year}?", "Officers spent approximately {n} hours in emergency departments in {year}.")],
    ),
    Topic(
        "missing", "missing and exploited children",
        [("CSE", "Child Sexual Exploitation"), ("CCE", "Child Criminal Exploitation"), ("RHI", "Return Home Interview")],
        ["An inspection of how the police protect missing and exploited children", "Child exploitation: a joint targeted area inspection",
         "How well forces protect children who go missing"],
        ["children who go missing", "return home interviews", "children at risk of criminal exploitation", "the missing persons coordinator",
         "strategy meetings", "county lines investigations"],
        ["were not always risk assessed correctly", "were not completed within 72 hours", "were identified and referred through the National Referral Mechanism",
         "shared information well with children's services", "did not consistently record the child's views", "disrupted exploitation effectively"],
        ["make sure that every missing child is risk assessed and that the assessment is reviewed by a supervisor",
         "make sure that return home interviews are completed and the information is used to safeguard the child",
         "make sure that children at risk of criminal exploitation are referred through the National Referral Mechanism"],
        ["the use of information from return home interviews", "how it identifies child criminal exploitation"],
        ["a missing children's hub is in place with the local authority", "return home interview information is now recorded on the force system",
         "a county lines disruption team has been established"],
        [("How many missing children reports were received in {year}?", "The force received {n} reports of missing children in {year}, relating to {m} individual children."),
         ("How many National Referral Mechanism referrals were made for children in {year}?", "{n} referrals were made for children in {year}.")],
    ),
]

ADDRESSEES = ["forces", "chief constables", "police forces", "the force"]
STATUS_PHRASES = {
    "complete": ["This recommendation has been fully implemented.", "I am pleased to say that {done}; this is now embedded practice.",
                 "{force} Police has ensured that {done}.", "The force has confirmed that this work has been completed and {done}."],
    "in_progress": ["Work is currently underway to address this recommendation, and {done}.", "This element remains ongoing through the {board}.",
                    "I have been informed that the force is currently reviewing its approach, and progress is reported to the {board}.",
                    "A review is underway, led by the {unit}, and will report to the {board}."],
    "planned": ["The force will complete this work by {when}.", "The force plans to introduce changes by {when}, overseen by the {board}.",
                "A new process has been agreed and will be in place by {when}."],
    "not_started": ["This recommendation has been documented and will inform future Strategic Planning and Assurance Cycles.",
                    "These recommendations are being considered in future planning by the {board}."],
    "not_applicable": ["This recommendation is for the Home Office.", "This recommendation is for the College of Policing.",
                       "This recommendation is for HMCTS."],
}
OPENERS = ["We found that", "In the cases we reviewed,", "Inspectors saw that", "Officers told us that", "Our case file review showed that",
           "During our fieldwork we found that", "Staff we spoke to said that", "Partners told us that", "We were pleased to find that",
           "However, we also found that", "In {a} of the {b} cases we examined,", "Supervisors in {place} said that"]
QUALIFIERS = ["", "", "", " within the expected timescales", " at the first point of contact", ", which meant that some victims waited longer than they should",
              " because supervisors had not reviewed the investigation plan", " in line with the Authorised Professional Practice",
              ", although this was not consistent across districts", " when demand was high", " in {place} and the surrounding area",
              ", and this is an area the force should improve", " despite clear guidance from the College of Policing"]
GENERIC = [
    "The force has a clear understanding of the demand it faces and uses this to plan its resources.",
    "Leaders communicate their priorities well, and the workforce understands them.",
    "We reviewed {b} case files and spoke to more than {a} officers, staff and partners during our fieldwork.",
    "The force recognises that it needs to do more, and has a plan in place to improve.",
    "Data quality remains a concern, and this limits the force's ability to understand its performance.",
    "Partnership working is well established, and information is shared through regular meetings.",
    "Officers and staff told us that workloads were high and that this affected their wellbeing.",
    "The {unit} provides good support to investigators, but demand has grown by {p} percent in two years.",
    "Governance is provided by the {board}, which is chaired by a chief officer.",
    "We will continue to monitor the force's progress through our routine inspection activity.",
]


@dataclass
class Rec:
    """A recommendation as a report printed it."""

    type: str  # Recommendation | Area for improvement
    ref: str
    lead: str  # "By 31 October 2026, forces should:" or the whole text
    parts: list[str] = field(default_factory=list)  # lettered parts (A, B, ...)


@dataclass
class Report:
    """An inspection report, kept so responses can quote it."""

    title: str
    published: date
    force: str
    topic: Topic
    recs: list[Rec]


@dataclass
class Manifest:
    """What was generated."""

    seed: int
    documents: int = 0
    pages: int = 0  # PDF pages plus page equivalents of text files
    pdf_pages: int = 0
    words: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_format: dict[str, int] = field(default_factory=dict)


class Writer:
    """Slot-filled text from the topic banks, with one seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def fill(self, text: str, topic: Topic | None = None, force: str = "Dyfed-Powys") -> str:
        """Fill {place}, {board}, {unit}, {a}, {b}, {p}, {force}, {done} slots."""
        r = self.r
        b = r.randint(20, 140)
        values = {"place": r.choice(PLACES), "board": r.choice(BOARDS), "unit": r.choice(UNITS), "a": r.randint(5, b), "b": b,
                  "p": r.randint(8, 45), "force": force, "done": r.choice(topic.done) if topic else "the work is complete",
                  "when": self.month_year(date(2026, 1, 1) + timedelta(days=r.randint(0, 700)))}
        return text.format(**values)

    def finding(self, topic: Topic, force: str) -> str:
        """One sentence of inspection finding."""
        r = self.r
        opener = self.fill(r.choice(OPENERS), topic, force)
        subject = r.choice(topic.subjects)
        sentence = f"{opener} {subject} {r.choice(topic.findings)}{self.fill(r.choice(QUALIFIERS), topic, force)}."
        return sentence[0].upper() + sentence[1:]

    def paragraph(self, topic: Topic, force: str, sentences: tuple[int, int] = (3, 7)) -> str:
        """A paragraph of findings with the odd general sentence."""
        out = []
        for _ in range(self.r.randint(*sentences)):
            if self.r.random() < 0.2:
                out.append(self.fill(self.r.choice(GENERIC), topic, force))
            else:
                out.append(self.finding(topic, force))
        return " ".join(out)

    def day(self, start: date, span_days: int) -> date:
        """A date within span_days after start."""
        return start + timedelta(days=self.r.randint(0, span_days))

    @staticmethod
    def long_date(d: date) -> str:
        return f"{d.day} {MONTHS[d.month - 1]} {d.year}"

    @staticmethod
    def month_year(d: date) -> str:
        return f"{MONTHS[d.month - 1]} {d.year}"

    def response_text(self, topic: Topic, force: str, status: str) -> list[str]:
        """Paragraphs answering one recommendation, whose wording carries the status."""
        r = self.r
        lead = self.fill(r.choice(STATUS_PHRASES[status]), topic, force)
        paras = [lead]
        if status != "not_applicable":
            extra = [f"{self.fill('The {unit}', topic, force)} has reviewed current practice, and {r.choice(topic.done)}.",
                     f"Progress is reported to the {r.choice(BOARDS)} every quarter.",
                     f"An audit of {r.randint(20, 120)} cases in {r.choice(PLACES)} found that {r.choice(topic.subjects)} {r.choice(topic.findings)}.",
                     f"I have asked the Chief Constable for an update on {r.choice(topic.improvements)} at my next accountability meeting."]
            r.shuffle(extra)
            paras.append(" ".join(extra[: r.randint(1, 3)]))
        return paras


def slug(text: str, words: int = 6) -> str:
    """A file-name slug of the first words of text."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower())[:words])


# --- documents as lists of blocks: ("h", heading) ("p", paragraph) ("l", line) ("b", blank) -----------------
Block = tuple[str, str]


def make_report(w: Writer, topic: Topic, force: str, published: date, pages: int) -> tuple[Report, list[Block]]:
    """An inspection report: summary, method, themed findings with recommendations and areas for improvement."""
    r = w.r
    template = r.choice(topic.report_titles)
    title = template.replace("{force}", f"{force} Police")
    if r.random() < 0.5 and "{force}" not in template:
        title = f"{title} in {force} Police"
    blocks: list[Block] = [("h", title), ("l", f"Published {w.long_date(published)}"), ("b", "")]
    acr = "; ".join(f"{b} ({a})" for a, b in topic.acronyms)
    blocks.append(("p", f"This report by His Majesty's Inspectorate of Constabulary and Fire & Rescue Services (HMICFRS) sets out our findings on {topic.name}. "
                        f"It draws on fieldwork in {force} Police and elsewhere, and uses the terms {acr}."))
    blocks.append(("h", "Summary"))
    budget = pages * 400
    recs: list[Rec] = []
    n_rec = n_afi = 0
    themes = [s for s in topic.subjects]
    r.shuffle(themes)
    words = sum(len(t.split()) for _, t in blocks)
    for _ in range(2):
        blocks.append(("p", w.paragraph(topic, force)))
    blocks.append(("h", "About this inspection"))
    blocks.append(("p", w.fill(GENERIC[2], topic, force) + " " + w.paragraph(topic, force, (2, 3))))
    theme_i = 0
    while words < budget:
        heading = themes[theme_i % len(themes)]
        theme_i += 1
        blocks.append(("h", heading[0].upper() + heading[1:]))
        for _ in range(r.randint(3, 7)):
            blocks.append(("p", w.paragraph(topic, force)))
        roll = r.random()
        if roll < 0.3:
            n_rec += 1
            deadline = w.long_date(published + timedelta(days=r.randint(120, 540)))
            addressee = r.choice(ADDRESSEES[:3])
            if r.random() < 0.35:
                acts = r.sample(topic.actions, k=min(len(topic.actions), r.randint(2, 3)))
                lead = f"By {deadline}, {addressee} should:"
                rec = Rec("Recommendation", str(n_rec), lead, [a[0].upper() + a[1:] for a in acts])
            else:
                rec = Rec("Recommendation", str(n_rec), f"By {deadline}, {addressee} should {r.choice(topic.actions)}.")
            recs.append(rec)
            blocks.append(("l", f"Recommendation {rec.ref}"))
            blocks.append(("b", ""))
            if rec.parts:
                blocks.append(("l", rec.lead))
                for i, part in enumerate(rec.parts):
                    end = "; and" if i == len(rec.parts) - 2 else (";" if i < len(rec.parts) - 1 else ".")
                    blocks.append(("l", f"- {chr(65 + i)}. {part}{end}"))
            else:
                blocks.append(("p", rec.lead))
            blocks.append(("b", ""))
        elif roll < 0.5:
            n_afi += 1
            rec = Rec("Area for improvement", str(n_afi), f"The force should improve {r.choice(topic.improvements)}.")
            recs.append(rec)
            blocks.append(("l", f"Area for improvement {rec.ref}"))
            blocks.append(("b", ""))
            blocks.append(("p", rec.lead))
            blocks.append(("b", ""))
        words = sum(len(t.split()) for _, t in blocks)
    blocks.append(("h", "Conclusion"))
    closing = w.paragraph(topic, force, (2, 3))
    blocks.append(("p", f"In conclusion, {closing[0].lower()}{closing[1:]}"))
    return Report(title, published, force, topic, recs), blocks


def _status_mix(w: Writer) -> str:
    return w.r.choices(["complete", "in_progress", "planned", "not_started", "not_applicable"], [30, 35, 20, 10, 5])[0]


def make_pcc_response(w: Writer, report: Report, force: str, when: date) -> list[Block]:
    """The PCC's section 55 response: "Recommendation N", the quoted text, the status update."""
    r = w.r
    topic = report.topic
    blocks: list[Block] = [("l", w.long_date(when)), ("b", ""),
                           ("h", f"Police and Crime Commissioner for {force} response to:"), ("b", ""),
                           ("h", f"{report.title} ({w.month_year(report.published)})"), ("b", "")]
    blocks.append(("p", f"I welcome this report by His Majesty's Inspectorate of Constabulary and Fire & Rescue Services. {w.paragraph(topic, force, (2, 3))}"))
    blocks.append(("p", f"In my capacity as Police and Crime Commissioner, I will monitor the Force's progress through the {r.choice(BOARDS)}, "
                        f"which is chaired by the Deputy Chief Constable. I set out below the reassurances I have received from the Chief Constable."))
    for rec in [x for x in report.recs if x.type == "Recommendation"]:
        blocks.append(("l", f"Recommendation {rec.ref}"))
        blocks.append(("b", ""))
        if rec.parts:
            blocks.append(("l", rec.lead))
            for i, part in enumerate(rec.parts):
                blocks.append(("l", f"- {chr(65 + i)}. {part}"))
        else:
            blocks.append(("p", rec.lead))
        blocks.append(("b", ""))
        for para in w.response_text(topic, force, _status_mix(w)):
            blocks.append(("p", para))
    blocks.append(("p", f"I am grateful to HMICFRS for this report. {w.fill(GENERIC[9], topic, force)}"))
    return blocks


def make_force_response(w: Writer, report: Report, force: str, when: date) -> list[Block]:
    """The force's response: numbered recommendations under theme headings, each with its update."""
    r = w.r
    topic = report.topic
    blocks: list[Block] = [("h", f"Force Response to the HMICFRS report: {report.title} ({w.month_year(when)})"), ("b", "")]
    blocks.append(("p", f"{force} Police would like to thank HMICFRS for the report. {w.paragraph(topic, force, (2, 4))}"))
    blocks.append(("h", "Response to the Recommendations"))
    items = [x for x in report.recs]
    blocks.append(("p", f"In total there were {len(items)} recommendations and areas for improvement in the report, and we have provided a short response to each."))
    for n, rec in enumerate(items, start=1):
        if n % 4 == 1:
            blocks.append(("h", r.choice(["GOVERNANCE", "TRAINING", "RESOURCING", "VICTIM CARE", "INVESTIGATION", "PARTNERSHIP", "DATA AND PERFORMANCE"])))
        text = rec.lead if not rec.parts else f"{rec.lead} {' '.join(rec.parts)}"
        blocks.append(("l", f"{n}. {text}"))
        blocks.append(("b", ""))
        for para in w.response_text(topic, force, _status_mix(w)):
            blocks.append(("p", para))
    blocks.append(("p", "Overall, the force has made good progress and will continue to review these recommendations through its governance."))
    return blocks


EXEMPTIONS = [
    "Some of the information is exempt under Section 31(1)(a) and (b) (law enforcement), as disclosure would be likely to prejudice the prevention or detection of crime.",
    "The names of officers are withheld under Section 40(2) (personal information).",
    "Information relating to ongoing investigations is exempt under Section 30(1)(a) (investigations and proceedings).",
    "This information is already published on our website and is therefore exempt under Section 21 (information reasonably accessible by other means).",
    "The force can neither confirm nor deny that it holds further information by virtue of Section 31(3) and Section 23(5).",
]


def make_foi(w: Writer, topic: Topic, force: str, ref: str, received: date, layout: int) -> list[Block]:
    """A disclosure-log entry: reference, dates, numbered questions and answers, exemptions."""
    r = w.r
    disclosed = received + timedelta(days=r.randint(10, 40))
    year = r.randint(2019, received.year - 1)
    pairs = r.sample(topic.foi, k=min(len(topic.foi), r.randint(1, 3)))
    qa = []
    for q, a in pairs:
        n = r.randint(3, 2400)
        values = {"year": year, "n": n, "m": r.randint(1, max(2, n // 2)), "p": r.randint(40, 97)}
        qa.append((q.format(**values), a.format(**values)))
    if r.random() < 0.5:
        extra = r.choice(EXEMPTIONS)
        qa.append((f"Please provide the names and ranks of the officers responsible for {topic.name} in {force}.", extra))
    if layout == 0:  # the seed's web page: "Request:" with numbered questions, then "Response N:"
        blocks: list[Block] = [("l", f"FOI Reference: {ref}"), ("l", "Request:"),
                               ("l", f"I am writing to request information regarding {topic.name} within your force.")]
        for i, (q, _) in enumerate(qa, start=1):
            blocks.append(("l", f"{i}. {q}"))
        for i, (_, a) in enumerate(qa, start=1):
            blocks.append(("l", f"Response {i}:"))
            blocks.append(("l", f"I can confirm that {force} Police does hold the information requested, as outlined below."))
            blocks.append(("l", a))
        blocks.append(("l", f"(This is a response under the Freedom of Information Act 2000 and disclosed on {disclosed.strftime('%d/%m/%Y')})"))
        return blocks
    blocks = [("l", "Freedom of Information Act 2000 – Disclosure Log"), ("l", f"Our ref: FOI {ref}"),
              ("l", f"Date received: {received.strftime('%d/%m/%Y')}"), ("l", f"Date of response: {disclosed.strftime('%d/%m/%Y')}"), ("b", ""),
              ("l", f"Subject: {topic.name[0].upper() + topic.name[1:]}"), ("b", "")]
    for i, (q, a) in enumerate(qa, start=1):
        blocks.append(("l", f"Q{i} {q}"))
        blocks.append(("l", f"A{i} {a}"))
        blocks.append(("b", ""))
    return blocks


# --- output: text files and PDFs -----------------------------------------------------------
def to_text(blocks: list[Block], markdown: bool) -> str:
    """One paragraph a line (as the real .txt corpus), headings marked in Markdown."""
    out: list[str] = []
    for kind, text in blocks:
        if kind == "h":
            out += ["", f"## {text}" if markdown else text, ""]
        elif kind == "p":
            out += [text, ""]
        elif kind == "l":
            out.append(f"**{text}**" if markdown and re.match(r"(Recommendation|Area for improvement) \d+$", text) else text)
        else:
            out.append("")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


_UNSAFE_START = re.compile(r"^(?:\d|[-•]|[A-Z][.)]\s|(?:recommendations?|area for improvement|afi|cause of concern)\s+\w|q\d|a\d|response\s*\d*:|request)", re.I)


def wrap(text: str, width: int = 92) -> list[str]:
    """Wrap a paragraph into PDF lines; no line may start like a structural line (a number, a ref)."""
    lines = textwrap.wrap(text, width) or [""]
    fixed = [lines[0]]
    for line in lines[1:]:
        while _UNSAFE_START.match(line) and " " in line:
            head, line = line.split(" ", 1)
            fixed[-1] = f"{fixed[-1]} {head}"
        if _UNSAFE_START.match(line):
            fixed[-1] = f"{fixed[-1]} {line}"
            continue
        fixed.append(line)
    return fixed


def paginate(blocks: list[Block], rng: random.Random, header: str) -> list[list[str]]:
    """PDF pages of 350-450 words each, with a running header and a page-number footer."""
    lines: list[str] = []
    for kind, text in blocks:
        if kind == "h":
            lines += ["", text, ""]
        elif kind == "p":
            lines += wrap(text) + [""]
        elif kind == "l":
            lines += wrap(text)
        else:
            lines.append("")
    pages: list[list[str]] = []
    current: list[str] = []
    count, target = 0, rng.randint(*WORDS_PER_PAGE)
    for line in lines:
        current.append(line)
        count += len(line.split())
        if count >= target:
            pages.append(current)
            current, count, target = [], 0, rng.randint(*WORDS_PER_PAGE)
    if any(x.strip() for x in current):
        pages.append(current)
    total = len(pages)
    top = [header, ""] if header and total >= 3 else []  # a running header only where the cleaner can see it repeat
    return [top + page + ["", f"Page {i} of {total}"] for i, page in enumerate(pages, start=1)]


def make_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF with one page per list of lines (10 pt text; a blank line must extract as one)."""
    return write_pdf(path, [text_stream([line or " " for line in lines], errors="replace") for lines in pages])


class Corpus:
    """Writes documents into a folder and keeps the manifest."""

    def __init__(self, out: Path, seed: int, pdf_share: float) -> None:
        self.out = out
        self.rng = random.Random(seed)
        self.w = Writer(self.rng)
        self.pdf_share = pdf_share
        self.m = Manifest(seed=seed)
        self.names: set[str] = set()

    def write(self, folder: str, name: str, kind: str, blocks: list[Block], pdf: bool, header: str) -> None:
        """One document, as a PDF or a .txt/.md file."""
        base = name
        n = 2
        while base in self.names:
            base = f"{name}-{n}"
            n += 1
        self.names.add(base)
        target = self.out / folder
        target.mkdir(parents=True, exist_ok=True)
        words = sum(len(t.split()) for _, t in blocks)
        if pdf:
            pages = paginate(blocks, self.rng, header)
            make_pdf(target / f"{base}.pdf", pages)
            self.m.pages += len(pages)
            self.m.pdf_pages += len(pages)
            fmt = "pdf"
        else:
            md = self.rng.random() < 0.4
            fmt = "md" if md else "txt"
            (target / f"{base}.{fmt}").write_text(to_text(blocks, md), encoding="utf-8")
            self.m.pages += max(1, round(words / TEXT_PAGE_WORDS))
        self.m.documents += 1
        self.m.words += words
        self.m.by_kind[kind] = self.m.by_kind.get(kind, 0) + 1
        self.m.by_format[fmt] = self.m.by_format.get(fmt, 0) + 1


def generate(out: str | Path, pages: int = 2000, seed: int = 7, pdf_share: float = 0.7) -> Manifest:
    """Write a corpus of at least ``pages`` pages into ``out``; the same seed always writes the same files.

    Per round: an inspection report (8-30 pages), its PCC response and often a force response,
    and a few FOI disclosures (1-2 pages). Reports and responses are PDFs with probability
    ``pdf_share``; disclosures are text (they come from web disclosure logs).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    c = Corpus(out, seed, pdf_share)
    r, w = c.rng, c.w
    foi_n = r.randint(100, 300)
    while c.m.pages < pages:
        topic = r.choice(TOPICS)
        force = r.choice(FORCES)
        published = w.day(date(2019, 1, 1), 2700)
        report, blocks = make_report(w, topic, force, published, r.randint(8, 30))
        year = published.year
        c.write("reports", f"hmicfrs-{slug(topic.key + ' ' + report.title, 7)}-{year}", "inspection_report", blocks,
                r.random() < pdf_share, "OFFICIAL")
        if any(x.type == "Recommendation" for x in report.recs):
            when = published + timedelta(days=r.randint(30, 56))
            home = r.choice(FORCES[:6])
            c.write("responses", f"pcc-response-{slug(home, 2)}-{slug(report.title, 5)}-{when.year}", "pcc_response",
                    make_pcc_response(w, report, home, when), r.random() < pdf_share, f"Office of the Police and Crime Commissioner for {home}")
        if r.random() < 0.6:
            when = published + timedelta(days=r.randint(60, 400))
            home = r.choice(FORCES[:6])
            c.write("responses", f"force-response-{slug(home, 2)}-{slug(report.title, 5)}-{when.year}", "force_response",
                    make_force_response(w, report, home, when), r.random() < pdf_share, f"{home} Police")
        for _ in range(r.randint(2, 5)):
            foi_n += r.randint(1, 40)
            received = w.day(date(2020, 1, 1), 2300)
            ref = f"{foi_n % 1500}/{received.year}"
            ftopic = r.choice(TOPICS)
            c.write("foi", f"foi-{ref.replace('/', '-')}-{ftopic.key}", "foi_disclosure",
                    make_foi(w, ftopic, r.choice(FORCES[:6]), ref, received, r.randint(0, 1)), False, "")
    (out / "manifest.json").write_text(json.dumps(asdict(c.m), indent=1), encoding="utf-8")
    return c.m


def main(argv: list[str] | None = None) -> int:
    """Write a corpus and print its manifest."""
    p = argparse.ArgumentParser(prog="python -m evals.gencorpus", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", help="folder to write into (created)")
    p.add_argument("--pages", type=int, default=2000, help="at least this many pages (default 2000)")
    p.add_argument("--seed", type=int, default=7, help="random seed: the same seed writes the same corpus")
    p.add_argument("--pdf-share", type=float, default=0.7, help="share of reports and responses written as PDF (default 0.7)")
    args = p.parse_args(argv)
    m = generate(args.out, args.pages, args.seed, args.pdf_share)
    print(json.dumps(asdict(m)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
