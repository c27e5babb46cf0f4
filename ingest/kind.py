"""What kind of document this is, from several signals, each with a weight, and a confidence.

Who wrote it and why decides the kind: an inspectorate reporting (inspection_report), a force
answering recommendations (force_response), a PCC or police authority answering an inspection
(pcc_response), anyone answering a Freedom of Information request (foi_disclosure), guidance, or
anything else (other). Each cue adds its weight to one kind; the kind with the most wins when it
has enough, and the reasons are kept so a person can see why (``python -m ingest FILE``). Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_I = re.I | re.M
# (kind, weight, pattern, where): where is "title" (the title line), "head" (title + opening 4,000 characters) or "body" (the whole
# text); "body+" is the whole text, counted only for a kind some earlier cue already found
CUES: list[tuple[str, float, re.Pattern[str], str]] = [
    # Freedom of Information: the Act, a request, its reference and the answer's wording
    ("foi_disclosure", 3.0, re.compile(r"\bfreedom of information\b(?! classification| publication scheme)|\bFOIA?\b(?! *(?:policy|publication scheme|classification))", _I), "head"),
    ("foi_disclosure", 2.0, re.compile(r"\b(?:foi|rfi|request)\s*(?:ref(?:erence)?|no\.?|number)\b|\bdisclosure log\b", _I), "head"),
    ("foi_disclosure", 2.0, re.compile(r"^\W*(?:date )?(?:received|of request|request(?:ed)?(?: date)?)\W*(?:on\W*)?:\s*\S.*\n(?:.*\n){0,3}?\W*(?:date )?(?:responded|response(?: date)?|of response|disclosed|replied)\W*(?:on\W*)?:", _I), "head"),
    ("foi_disclosure", 2.0, re.compile(r"^\W*(?:request|your request|information requested)\W*$[\s\S]{0,3000}^\W*(?:response|our response|answer)\W*$|"
                                       r"^\W*(?:request|q1?)\s*[:.]\s*\S[\s\S]{0,3000}^\W*(?:response|answer|a1?)\s*(?:\d+\s*)?[:.]", _I), "head"),
    ("foi_disclosure", 2.0, re.compile(r"\byour (?:request|email|application)\b|\brequest for information\b|\byou (?:asked|requested)\b|\bwe received\b|"
                                       r"\bwhich (?:was )?received on\b|\bplease (?:could you )?provide\b", _I), "head"),
    ("foi_disclosure", 1.5, re.compile(r"\b(?:is|are|was) (?:not )?held\b|\bsection 1\(1\)|\bsection 17\b|\bneither confirm nor deny\b|\bpublic interest test\b|"
                                       r"\binternal review\b|\binformation commissioner\b", _I), "body+"),  # only beside a cue above: "is not held" alone is not FOI
    # an inspectorate's own voice
    ("inspection_report", 0.5, re.compile(r"\bHMICF?R?S\b|\bhis majesty'?s inspectorate\b|\bher majesty'?s inspectorate\b|\bHM inspectorate\b|\bjoint inspection\b", _I), "head"),
    ("inspection_report", 2.0, re.compile(r"\b(?:we|our inspection) (?:found|inspected|judge|assessed|examined|reviewed|recommend)\b|\bour (?:findings|judgments?|inspection)\b|"
                                          r"\brecommendations we (?:have )?made\b|"
                                          r"\bwe (?:are|were) (?:pleased|concerned|disappointed)\b", _I), "body"),
    ("inspection_report", 0.5, re.compile(r"\bcauses? of concern\b|\bareas? for improvement\b|\bgraded judgments?\b", _I), "body"),
    ("inspection_report", 2.0, re.compile(r"^\W*(?:an inspection of|peel \d{4}|inspection report|(?:a )?joint (?:thematic )?inspection)\b", _I), "head"),
    ("inspection_report", 2.0, re.compile(r"^(?![\s\S]*\brespon)[\s\S]*(?:\binspection (?:of|visit|into)\b|\b(?:joint|unannounced|thematic) (?:thematic )?inspection\b|\b(?:his|her) majesty'?s inspectorate\b|"
                                          r"^\W*recommendations and areas for improvement\b|\bmonitoring portal\b)", _I), "title"),
    ("inspection_report", 2.0, re.compile(r"\bHMIC(?:FRS)? recommends\b|^\W*(?:his|her) majesty'?s (?:chief )?inspector of (?:constabulary|probation|prisons)\W*$", _I), "body"),
    # a PCC, OPCC, Mayor's office or police authority answering
    ("pcc_response", 1.0, re.compile(r"\bpolice(?:,)? (?:and|&) crime commissioner\b|\bpolice, fire and crime commissioner\b|\bOPF?CC\b|\bcommissioner'?s (?:response|comments)\b|"
                                     r"\bmayor'?s office for policing\b|\bMOPAC\b|\bpolice authority\b|\bpolice and crime panel\b", _I), "head"),
    ("pcc_response", 3.0, re.compile(r"\bsection 55\b|\bpolice act 1996\b", _I), "head"),
    ("pcc_response", 2.0, re.compile(r"\b(?:commissioner|pcc|mayor)\b[^.\n]{0,120}\bpublished (?:his|her|their|a) (?:statutory )?response\b", _I), "head"),
    ("pcc_response", 2.0, re.compile(r"\bcommissioner\b[^.\n]{0,60}\bresponse to\b", _I), "title"),
    ("pcc_response", 2.0, re.compile(r"\bi (?:have been|am|was) (?:assured|reassured|informed|pleased|encouraged)\b|\bi will (?:continue to )?(?:hold|monitor|seek|ask|scrutinise)\b|"
                                     r"\bi welcome\b|\bas (?:the )?commissioner\b|\bmy office\b|\bdear home secretary\b", _I), "body"),
    ("pcc_response", 2.0, re.compile(r"\b(?:pcc|commissioner|opcc|police and crime commissioner)'?s? (?:statutory )?response\b|\bresponse (?:of|from) the (?:police (?:and|&) crime )?commissioner\b|"
                                     r"\breport of the (?:\w+ ){0,4}commissioner\b|\bresponse (?:from|by)\W+(?:the )?(?:office of the )?(?:police|pcc|commissioner)", _I), "head"),
    # a force answering, tracking or announcing
    ("force_response", 2.0, re.compile(r"\b(?:police|constabulary|force)\b(?![^.\n]*commissioner)[^.\n]{0,40}\bresponse to\b", _I), "title"),
    # a page titled "Response to the ... super-complaint report" (a force's site names no one in its titles)
    ("force_response", 1.5, re.compile(r"^\W*(?:our )?response to\b(?![^\n]*commissioner)[^\n]*\b(?:report|inspection|recommendations|super-complaint|review)\b", _I), "title"),
    # "Force response:" (a label or a column), "the force's response to the report"; not "accountable for the force's response and ..."
    ("force_response", 2.0, re.compile(r"\bforce(?:'s)? response\b(?=[ \t]*(?:[:|\n]|$|to\b|\())|\bchief constable'?s? response\b|\bresponse (?:from|of) (?:the )?(?:chief constable|force)\b|"
                                       r"\breport (?:of|by) the (?:assistant |deputy |temporary )?chief (?:constable|officer)\b|\bour response\b", _I), "head"),
    ("force_response", 1.5, re.compile(r"\bprogress (?:update|report)\b|\baction plan\b|\bupdate on (?:the )?(?:hmic|recommendations|inspection)\b|\b(?:hmicfrs?|inspection) update\b|"
                                       r"\brecommendations? (?:tracker|update)\b|\bRAG\b|\bblue[:/ ]", _I), "head"),
    ("force_response", 1.5, re.compile(r"\b(?:the force|we) (?:has|have) (?:now )?(?:implemented|introduced|completed|developed|established|reviewed|put in place)\b|"
                                       r"\bwelcomes? the (?:report|findings|inspection)\b|\bchief constable [A-Z]\w+ [A-Z]\w+ said\b|\bsaid:", _I), "body"),
    # guidance
    ("guidance", 3.0, re.compile(r"\b(?:statutory )?guidance\b|\bauthorised professional practice\b|\bcode of practice\b|\bpolicy\b|\bprocedure\b|\btoolkit\b", _I), "title"),
    ("guidance", 1.0, re.compile(r"\bthis (?:guidance|policy|procedure|document) (?:sets out|applies|is intended|provides)\b|\bcontents\b", _I), "head"),
    ("guidance", 1.5, re.compile(r"\b(?:framework|toolkit|manual|handbook|partnership|delivery schemes?)\b", _I), "head"),
    ("guidance", 1.5, re.compile(r"\bguidance (?:for|on)\b|\bauthorised professional practice\b|\bstatutory guidance\b|\bcollege of policing\b", _I), "head"),
    # other: agendas, news, plans
    ("other", 2.0, re.compile(r"^\W*(?:agenda|minutes|notice of meeting|newsletter|annual report|police and crime plan)\b|\bannual report\b|\bagenda\b(?! item)", _I), "title"),
    ("pcc_response", 1.5, re.compile(r"\b(?:members of )?the panel (?:is|are) (?:asked|invited|requested) to\b|\bthat the panel notes?\b", _I), "body"),
    ("other", 1.0, re.compile(r"\bapologies for absence\b|\bdeclarations? of interest\b|\bminutes of the (?:last|previous) meeting\b", _I), "body"),
]
ENOUGH = 1.5  # below this, the document is "other"
# a paper to a police and crime panel or an audit committee: a force's or a commissioner's, never an inspectorate's
_COMMITTEE_PAPER = re.compile(r"\b(?:members of )?the (?:panel|committee|board) (?:is|are) (?:asked|invited|requested|recommended) to\b|"
                              r"^\W*(?:\d+\.?\s*)?purpose of (?:the|this) (?:report|paper)\b|\bthat the (?:panel|committee|board) notes?\b", re.I | re.M)
# a letter that opens by answering a request under the Act is an FOI disclosure, whatever the request was about
# (a request about section 55 responses carries every cue of a PCC's response)
_ANSWERS_A_REQUEST = re.compile(r"\A(?:.*\n){0,12}?.*\b(?:request for information|freedom of information (?:act|request))\b[^\n]*"
                                r"\b(?:you asked|your request|received on|which (?:we|the \w+(?: \w+)?) received)\b", re.I)
# a response answers an inspection, review or recommendations: a document naming none is not one
_ANSWERS_SOMETHING = re.compile(r"\bHMIC|\binspect|\brecommendation|\bareas? for improvement\b|\bcauses? of concern\b|\breview\b|\breport\b", re.I)


# a site's menu or footer line ("[Accessibility](/a) | [Freedom of Information](/foi) | [Contact us](/c)"): links, not what the page says
_MENU_LINE = re.compile(r"^[^\n]*(?:\[[^\]\n]{1,60}\]\([^)\n]*\)[^\n]*){2,}$|^(?:[^|\n]{1,30}\|){3,}[^|\n]{0,30}$", re.M)


@dataclass
class KindVerdict:
    """The kind chosen, its confidence (the winner's share of all the weight), and the cues found."""

    kind: str
    confidence: float
    scores: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


def classify(text: str, title: str) -> KindVerdict:
    """Score every kind's cues in the title, the opening and the whole text; the best wins."""
    places = {"title": title, "head": title + "\n" + _MENU_LINE.sub("", text[:4000]), "body": text, "body+": text}
    scores: dict[str, float] = {}
    reasons: list[str] = []
    for kind, weight, pattern, where in CUES:
        if where == "body+" and kind not in scores:
            continue
        m = pattern.search(places[where])
        if m:
            scores[kind] = scores.get(kind, 0.0) + weight
            reasons.append(f"{kind} +{weight:g}: '{' '.join(m.group(0).split())[:40]}' in the {where}")
    opening = _ANSWERS_A_REQUEST.search(text[:3000])
    if opening:
        return KindVerdict("foi_disclosure", 1.0, scores, reasons + [f"foi_disclosure: it opens by answering a request ('{' '.join(opening.group(0).split())[-60:]}')"])
    if not scores or max(scores.values()) < ENOUGH:
        return KindVerdict("other", 1.0 if not scores else 0.5, scores, reasons + ["no kind has enough cues: other"])
    paper = _COMMITTEE_PAPER.search(text[:6000])
    if paper and scores.pop("inspection_report", None) is not None:
        reasons.append(f"not inspection_report: a paper to a panel or committee ('{' '.join(paper.group(0).split())[:40]}') is written by a force or commissioner")
    if not _ANSWERS_SOMETHING.search(text):
        for kind in ("pcc_response", "force_response"):
            if scores.pop(kind, None) is not None:
                reasons.append(f"not {kind}: it names no inspection, review, report or recommendation")
        if not scores or max(scores.values()) < ENOUGH:
            return KindVerdict("other", 0.5, scores, reasons + ["no kind has enough cues: other"])
    best = max(scores, key=lambda k: scores[k])
    return KindVerdict(best, round(scores[best] / sum(scores.values()), 2), scores, reasons)
