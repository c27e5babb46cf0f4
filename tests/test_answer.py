"""Cited answers: quoted sentences with checked citations, abstentions, and the kb ask CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FOI, MAPPA

from kb.answers.answer import NOT_FOUND, Pick, abstain, choose
from kb.answers.quotes import locate, verified
from kb.search.rerank import Scored, implied_kinds, score, specific_tokens
from kb.service import KB

KB_BIN = str(Path(sys.executable).parent / "kb")


def test_done_when_question_quotes_the_foi_answer(corpus_kb: KB) -> None:
    a = corpus_kb.ask("Which teams manage high-harm offenders if there is no specialist unit?")
    assert not a.abstained and a.citations
    first = a.citations[0]
    assert first.doc == FOI and "MOSOVO" in first.quote and "IOM" in first.quote and first.verified
    assert f"[{first.n}]" in a.answer and first.quote.split()[0] in a.answer
    source = corpus_kb.source_text(FOI)
    assert source[first.start:first.end] == first.quote  # offsets point at the exact text in the source
    assert all(c.verified for c in a.citations)


def test_every_citation_is_verbatim_in_its_passage(corpus_kb: KB) -> None:
    for q in ("what did we say about MAPPA training?", "Is the KIRAT tool used to prioritise referrals?",
              "Who is the Civil Orders Officer going to support?"):
        a = corpus_kb.ask(q)
        rows = corpus_kb.store.chunks_by_ids([c.chunk_id for c in a.citations])
        assert a.citations and all(c.quote in rows[c.chunk_id]["text"] for c in a.citations)
        assert not any(c.quote.rstrip().endswith("?") for c in a.citations)


def test_unanswerable_question_abstains_with_closest_documents(corpus_kb: KB) -> None:
    a = corpus_kb.ask("How many officers and staff failed vetting in 2025?")
    assert a.abstained and a.answer == NOT_FOUND and a.citations == []
    assert a.closest and all("doc" in d and "title" in d for d in a.closest)


def test_selection_and_checks_are_pure() -> None:
    text = "Is this a question? The MOSOVO team manages offenders in both divisions. Short."
    ranked = [Scored("c1", 1.0, {}, [(0, 19, 0.9), (20, 72, 0.7), (73, 79, 0.95)])]
    picks = choose(ranked, {"c1": text})
    assert [text[p.start:p.end] for p in picks] == ["The MOSOVO team manages offenders in both divisions."]
    assert choose([Scored("c1", 1.0, {}, [(20, 72, 0.3)])], {"c1": text}) == []
    assert abstain(0.40, 0) and abstain(0.55, 3) and not abstain(0.55, 2) and abstain(0.80, 3) and not abstain(0.90, 3)
    assert not abstain(0.45, 0) and abstain(0.60, 0, unknown_year=True) and not abstain(0.80, 0, unknown_year=True)
    assert verified("MOSOVO team", text) and not verified("MOSOVO squad", text) and not verified(" ", text)
    source = "Intro. **The force has embedded KIRAT** in practice."
    assert locate("The force has embedded KIRAT in practice.", source, 0, len(source)) == (9, len(source))
    assert isinstance(Pick("c", 0, 1, 0.5).score, float)


def test_rerank_signals() -> None:
    assert specific_tokens("Recommendation 4 by 31 October 2026 for RSOs") >= {"4", "31", "2026", "RSO"}
    assert implied_kinds("What did the FOI disclosure say?") == ("foi_disclosure",)
    assert implied_kinds("How are high-harm offenders managed?") == ()
    from kb.search.rerank import Candidate

    cands = [Candidate("a", "one two", "other", 0.03), Candidate("b", "three", "other", 0.02)]
    ranked = score(cands, [[(0, 7, 0.2)], [(0, 5, 0.9)]], "q")
    assert ranked[0].chunk_id == "b" and ranked[0].signals["sentence"] == 0.9


def test_ask_cli_json_and_stdin(corpus_kb: KB) -> None:
    out = subprocess.run([KB_BIN, "--home", str(corpus_kb.config.home), "ask", "-", "--json"],
                         input="Which teams manage high-harm offenders if there is no specialist unit?\nHow many drones does the force own?\n",
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    first, second = [json.loads(line) for line in out.stdout.splitlines()]
    assert set(first) >= {"question", "answer", "abstained", "citations"}
    assert set(first["citations"][0]) >= {"n", "doc", "page", "chunk_id", "quote"}
    assert first["citations"][0]["doc"] == FOI and not first["abstained"]
    assert second["abstained"] and second["answer"] == NOT_FOUND
    readable = subprocess.run([KB_BIN, "--home", str(corpus_kb.config.home), "ask", "what did we say about MAPPA training?"],
                              capture_output=True, text=True, timeout=180)
    assert readable.returncode == 0 and "[1]" in readable.stdout and MAPPA in readable.stdout


def test_quantity_and_year_questions_need_matching_evidence(corpus_kb: KB) -> None:
    from kb.answers.answer import wants_number

    assert wants_number("What is the force's total budget for 2026/27?") == "money"
    assert wants_number("How many recommendations did the review make?") == "number"
    assert wants_number("Which teams manage offenders?") == ""
    assert abstain(0.70, 0, unknown_year=True) and not abstain(0.80, 0, unknown_year=True)
    assert corpus_kb.ask("What is the force's total budget for 2026/27?").abstained  # no sum of money anywhere
    assert corpus_kb.ask("What PEEL grade did the force get in 2019?").abstained  # no document mentions 2019
    text = "There are nine recommendations for Chief Constables. The force welcomes the report."
    scored = [Scored("c", 1.0, {}, [(0, 52, 0.8), (53, 83, 0.75)])]
    assert choose(scored, {"c": text}, needs_number="number")  # a number written as a word counts
    assert choose(scored, {"c": text}, needs_number="money") == []  # but it is not a sum of money
    assert not corpus_kb.ask("How many recommendations did the OPCC's stalking review make?").abstained


def test_sentence_vectors_are_kept_compact_and_score_as_the_model_does(embedder) -> None:  # type: ignore[no-untyped-def]
    """The reranker's cache holds one float32 matrix per passage (not lists of Python floats, ~8x the
    memory), and its similarities are the model's own dot products."""
    import numpy as np

    from kb.search.rerank import SentenceVectors

    cache = SentenceVectors(embedder, capacity=2)
    text = "The force accepted the recommendation. A plan is in place. It will report in March 2027."
    q = embedder.embed_query("when will the force report")
    sims = cache.similarities(q, [("a", text)])[0]
    spans, matrix = cache.of([("a", text)])[0]
    assert isinstance(matrix, np.ndarray) and matrix.dtype == np.float32 and matrix.shape == (len(spans), len(q)) == (3, 384)
    expected = [float(np.dot(q, v)) for v in embedder.embed([text[s:e] for s, e in spans])]
    assert [s for _, _, s in sims] == pytest.approx(expected, abs=1e-5)
    assert max(sims, key=lambda x: x[2])[:2] == spans[2]  # the sentence that answers
    cache.similarities(q, [("b", "Another passage."), ("c", "A third one.")])
    assert list(cache._cache) == ["b", "c"]  # least recently used out


def test_anchors_pin_an_answer_to_the_force_and_year_a_question_names() -> None:
    from kb.answers.answer import Anchors

    from ingest.metadata import named_forces

    a = Anchors.of("How many DVPOs did Thames Valley Police apply for in 2023?")
    assert a.forces == {"Thames Valley"} and a.years == {"2023"}
    assert a.met_by(["Thames Valley"], "Thames Valley Police applied for 41 orders in 2023.")
    assert not a.met_by(["Thames Valley"], "Thames Valley Police applied for 41 orders in 2021.")  # the wrong year
    assert not a.met_by(["Kent"], "Kent Police applied for 41 orders in 2023.")  # another force's answer to the same request
    letter = "Thames Valley Police, 12 May 2023. Orders applied for: 2019: 30; 2020: 35; 2021: 41."
    assert not a.met_by(named_forces(letter), "2019: 30; 2020: 35; 2021: 41. FOI 1234 orders")  # a year only in the letterhead
    assert a.met_by(named_forces(letter), "Orders applied for: 41. FOI 1234 orders (2023)")  # or in the title or date
    assert not Anchors.of("What is the policy in metropolitan areas?")  # a common word, not the Metropolitan Police
    assert Anchors.of("What did Dyfed Powys say?").met_by(named_forces("Dyfed-Powys Police said ..."), "")  # hyphen or space


def test_overlapping_passages_quote_a_sentence_once() -> None:
    text = "Officers attend a two-day course on stalking. It is refreshed every year."
    ranked = [Scored(cid, 1.0, {}, [(0, 45, 0.8), (46, len(text), 0.75)]) for cid in ("c1", "c2")]  # the same text twice
    picks = choose(ranked, {"c1": text, "c2": text})
    quotes = [text[p.start:p.end] for p in picks]
    # one quote: the best sentence runs on to the next, which is then not quoted again (nor from the other copy)
    assert quotes == [text]


def test_a_quote_runs_on_to_the_next_sentence_of_its_paragraph() -> None:
    text = "The force has a stalking plan. It was agreed in May 2024 and is on track.\n\nA new paragraph starts here today."
    ranked = [Scored("c1", 1.0, {}, [(0, 30, 0.8), (31, 73, 0.3), (75, len(text), 0.3)])]
    assert [text[p.start:p.end] for p in choose(ranked, {"c1": text})] == [text[:73]]
    ranked = [Scored("c1", 1.0, {}, [(31, 73, 0.8), (75, len(text), 0.3)])]  # never across a blank line
    assert [text[p.start:p.end] for p in choose(ranked, {"c1": text})][0] == text[31:73]


def test_a_wrapped_line_is_one_sentence_but_a_list_item_is_not() -> None:
    from ingest.sentences import sentences

    text = ("The average time to answer a 101 call in October 2023 was 3 minutes 41\nseconds. That is within target.\n"
            "(a) risk assessments are completed and reviewed on time, using the approved\nARMS tool; and\n(b) visits are recorded\n"
            "Heading\nAnother heading")
    got = [text[s:e] for s, e in sentences(text)]
    assert got == ["The average time to answer a 101 call in October 2023 was 3 minutes 41\nseconds.", "That is within target.",
                   "(a) risk assessments are completed and reviewed on time, using the approved\nARMS tool; and", "(b) visits are recorded",
                   "Heading", "Another heading"]


def test_a_question_about_one_force_is_not_answered_from_another(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """Forces answer the same FOI request in the same words: the answer comes from the force asked about, or none."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for force, n in (("Kent", 41), ("Surrey", 17)):
        (docs / f"{force.lower()}-foi.txt").write_text(
            f"Freedom of Information request\n\n{force} Police disclosure log\n\nRequest: How many officers were dismissed for misconduct in 2023?\n\n"
            f"Response: {force} Police dismissed {n} officers for gross misconduct in 2023 following misconduct hearings.\n")
    kb = KB(home=str(tmp_path / "home"), embedder=embedder)
    kb.ingest([docs])
    surrey = kb.ask("How many officers did Surrey Police dismiss for misconduct in 2023?")
    assert not surrey.abstained and surrey.citations and {c.doc for c in surrey.citations} == {"surrey-foi.txt"}
    cumbria = kb.ask("How many officers did Cumbria Police dismiss for misconduct in 2023?")
    assert cumbria.abstained and not cumbria.citations
    year = kb.ask("How many officers did Kent Police dismiss for misconduct in 2019?")
    assert year.abstained


def test_a_middling_answer_needs_the_words_of_the_question_in_its_own_document() -> None:
    text = "The force has trained forty stalking champions across its three policing divisions."
    ranked = [Scored("c1", 1.0, {}, [(0, len(text), 0.55)])]
    assert choose(ranked, {"c1": text}, unknown={"c1": 3}) == []  # three of the question's words are nowhere in its document
    assert choose(ranked, {"c1": text}, unknown={"c1": 2})  # two may be a paraphrase's
    assert choose(ranked, {"c1": text}, unknown={"c2": 3})  # another passage's document does not count
    strong = [Scored("c1", 1.0, {}, [(0, len(text), 0.90)])]
    assert choose(strong, {"c1": text}, unknown={"c1": 4})  # a very close sentence stands


def test_words_a_document_never_uses_are_its_own_not_the_corpus(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    """As an archive grows almost every word is used somewhere: what counts is the document quoted."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "champions.txt").write_text("Stalking champions\n\nThe force has trained forty stalking champions across its divisions.\n")
    (docs / "drones.txt").write_text("Air support\n\nThe drone unit budget was set at 40,000 pounds for the year.\n")
    kb = KB(home=str(tmp_path / "home"), embedder=embedder)
    kb.ingest([docs])
    (champions,) = kb.store.documents_named("champions.txt")
    assert kb.store.missing_from(champions["id"], ["drones", "budget", "champions", "stalking"]) == ["drones", "budget"]
    assert kb.store.term_count("drones") == 1  # the corpus uses it: a corpus-wide rule would not have noticed
    from kb.store.filters import Filters

    searcher = kb.searcher
    assert searcher.term_count("drones", Filters()) == 1 and searcher.term_count("", Filters()) == kb.store.counts()["chunks"]
    (docs / "more.txt").write_text("Drones\n\nA second drone was bought for the rural team in the spring.\n")
    kb.ingest([docs])
    assert kb.searcher is not searcher and kb.searcher.term_count("drones", Filters()) == 2  # counted again for new documents
    answer = kb.ask("What is the yearly drones budget for stalking champions?")  # three words each document lacks
    assert answer.abstained or {c.doc for c in answer.citations} == {"drones.txt"}


def test_headings_and_page_furniture_are_never_quoted() -> None:
    from kb.answers.quotes import furniture

    assert furniture("Durham Constabulary - Information Rights and Disclosure - DC/FOI 931/24 - Internal Review Decision Page 2 of 4")
    assert furniture("Police and Crime Commissioner for Norfolk\nOPCCN - Response to HMICFRS PEEL 2023-2025 - Norfolk Constabulary 2")
    assert furniture("The Policing Protocol and panel responsibilities ..................................... 6")
    assert not furniture("Five have been referred to the Independent Office for Police Conduct.")
    assert not furniture("Your complaint is partially upheld.")
    heading = "Cambridgeshire and Peterborough Police and Crime Commissioner"
    answer = "The Commissioner will support the change through the Association of Police and Crime Commissioners."
    text = f"{heading}\n{answer}"
    ranked = [Scored("c1", 1.0, {}, [(0, len(heading), 0.80), (len(heading) + 1, len(text), 0.60)])]
    picks = choose(ranked, {"c1": text})
    assert picks and all(text[p.start:p.end].startswith("The Commissioner") for p in picks)


def test_sentence_features_read_a_sentences_role_and_the_questions_words() -> None:
    from kb.answers.sentences import FEATURES, Passage, candidates, heading_like, idf, intent, overlap

    assert intent("What did HMICFRS recommend about vetting?") == "recommended"
    assert intent("What has the force done about vetting?") == "done" and intent("What progress has been made?") == "done"
    assert intent("Has the recommendation on vetting been closed?") == "done"  # the noun asks what was done, the verb what was asked
    assert intent("How many officers were vetted in 2023?") == "fact"
    assert idf(1000, 1) > idf(1000, 500) > 0
    weights = {"vetting": 2.0, "files": 1.0}
    assert overlap(weights, "Inspectors examined 725 vetting files.") == 1.0
    assert overlap(weights, "Inspectors examined 725 files.") == pytest.approx(1 / 3)
    assert overlap({}, "anything") == 0.0
    assert heading_like("Home > News > Vetting update", "Anything") and heading_like("Vetting update 2023", "Vetting update 2023 - Kent")
    assert not heading_like("The force vetted 725 officers in 2023.", "Vetting update 2023")
    text = "Please provide the number of vetting files. The force should review vetting. We examined 725 vetting files in 2023."
    a, b = text.index("The force"), text.index("We examined")
    spans = [(0, a - 1, 0.7), (a, b - 1, 0.6), (b, len(text), 0.5)]
    cands = candidates([Passage("c", text, "Vetting", False, spans)], weights, "done", None, lambda s: True)
    f = {text[c.start:c.end][:12]: dict(zip(FEATURES, c.features)) for c in cands}
    assert f["Please provi"]["request"] == 1.0 and f["Please provi"]["first"] == 1.0 and f["Please provi"]["rel"] == 0.0
    assert f["The force sh"]["rec_done"] == 1.0 and f["The force sh"]["rec_recommended"] == 0.0
    assert f["We examined "]["rec_done"] == 0.0 and f["We examined "]["digits"] == 1.0 and f["We examined "]["rel"] == pytest.approx(-0.2)
    assert f["We examined "]["about_document"] == 0.0
    intro = "1.1 This report updates the Panel on progress against the vetting recommendations."
    (about,) = candidates([Passage("d", intro, "", False, [(0, len(intro), 0.6)])], weights, "fact", None, lambda s: True)
    assert dict(zip(FEATURES, about.features))["about_document"] == 1.0  # about the document, not its subject


def test_echo_and_done_wording_tell_a_restated_question_from_its_answer() -> None:
    from kb.answers.sentences import FEATURES, Passage, candidates, echo

    question = "How often does Dorset Police re-check its workforce against the PND?"
    assert echo(question, "Whether Dorset Police re-checks its workforce against the PND, and how often.") > 0.8
    assert echo(question, "Since April 2024 the workforce has been re-checked every six months.") < 0.5
    assert echo(question, "") == 0.0 and echo("", "Anything at all here.") == 0.0
    text = "The force should re-check its workforce. Since April 2024 the whole workforce has been re-checked every six months."
    b = text.index("Since")
    spans = [(0, b - 1, 0.7), (b, len(text), 0.6)]
    for asks, want in (("done", 1.0), ("fact", 0.0)):
        cands = candidates([Passage("c", text, "", False, spans)], {}, asks, None, lambda s: True, question)
        f = {text[c.start:c.end][:9]: dict(zip(FEATURES, c.features)) for c in cands}
        assert f["Since Apr"]["done_wording"] == want and f["The force"]["done_wording"] == 0.0  # a response's wording, for a question about what was done
        assert f["Since Apr"]["echo"] < f["The force"]["echo"]


def test_the_intent_decides_between_recommendation_and_response_and_a_request_never_stands_alone() -> None:
    from kb.answers.sentences import FEATURES, SentenceModel, shipped

    model = shipped()
    assert len(model.weights) == len(FEATURES) and model.keep_within > 0
    with pytest.raises(ValueError, match="other features"):
        SentenceModel.from_json({**model.to_json(), "features": ["sim"]})
    # the question's intent decides what a recommendation's wording is worth (a model with only those weights)
    text = "The force should train call handlers in risk assessment.\n\nCall handlers were trained in risk assessment in March."
    b = text.index("Call handlers")
    ranked = [Scored("c1", 1.0, {}, [(0, b - 2, 0.70), (b, len(text), 0.70)])]
    only = SentenceModel(tuple(1.0 if n == "sim" else -1.0 if n == "rec_done" else 1.0 if n == "rec_recommended" else 0.0 for n in FEATURES),
                         0.0, 0.1)
    done = choose(ranked, {"c1": text}, asks="done", model=only)
    assert [text[p.start:p.end] for p in done] == [text[b:]]  # what was done: the response, not the recommendation
    recommended = choose(ranked, {"c1": text}, asks="recommended", model=only)
    assert [text[p.start:p.end] for p in recommended] == [text[:b - 2]]
    # the shipped model: a request's line that is closer to the question than its answer does not stand alone
    weights = {"call": 1.5, "handlers": 2.0, "trained": 1.0, "risk": 1.2, "assessment": 1.2}
    asked = "Please provide the number of call handlers trained in risk assessment. 212 call handlers were trained in risk assessment."
    b = asked.index("212")
    ranked = [Scored("c1", 1.0, {}, [(0, b - 1, 0.80), (b, len(asked), 0.72)])]
    picks = choose(ranked, {"c1": asked}, weights=weights, asks="fact")
    assert picks and "212 call handlers were trained" in " ".join(asked[p.start:p.end] for p in picks)  # the answer, not the request alone



def test_a_request_line_is_never_a_further_quote_beside_the_answer() -> None:
    from kb.answers.sentences import FEATURES, SentenceModel

    only_sim = SentenceModel(tuple(1.0 if n == "sim" else 0.0 for n in FEATURES), 0.0, 5.0)
    answer = "212 call handlers were trained in risk assessment in 2023."
    request = "Please provide the number of call handlers trained in risk assessment."
    other = "Training in risk assessment is refreshed every year for call handlers."
    texts = {"c1": answer, "c2": request, "c3": other}
    ranked = [Scored("c1", 1.0, {}, [(0, len(answer), 0.80)]), Scored("c2", 0.9, {}, [(0, len(request), 0.78)]),
              Scored("c3", 0.8, {}, [(0, len(other), 0.60)])]
    quoted = [texts[p.chunk_id][p.start:p.end] for p in choose(ranked, texts, model=only_sim)]
    assert quoted == [answer, other]  # the request's line scored second by similarity, and is passed over
    alone = choose([Scored("c2", 1.0, {}, [(0, len(request), 0.80)])], {"c2": request}, model=only_sim)
    assert [request[p.start:p.end] for p in alone] == [request]  # first, it may still stand (the model's score decides)


def test_when_the_best_matches_are_all_other_forces_documents_the_answer_is_not_found() -> None:
    """Forces answer the same request in the same words: when none of the passages that decide whether to abstain is
    about the force (or year) asked about, its document further down is not quoted as the answer."""
    from kb.answers.answer import TOP_PASSAGES, anchored

    ranked = [Scored(f"c{i}", 1.0 - i / 10, {}, []) for i in range(8)]
    ours = {"c6"}  # the force's only passage: seventh
    assert anchored(ranked, lambda r: r.chunk_id in ours) == []
    ours = {"c2", "c6"}
    assert [r.chunk_id for r in anchored(ranked, lambda r: r.chunk_id in ours)] == ["c2", "c6"]  # one in the first four: both kept
    ours = {f"c{TOP_PASSAGES - 1}"}
    assert [r.chunk_id for r in anchored(ranked, lambda r: r.chunk_id in ours)] == [f"c{TOP_PASSAGES - 1}"]
    assert anchored([], lambda r: True) == []


def test_search_puts_the_passage_that_answers_before_the_one_that_restates_the_request() -> None:
    """``by_answer``: the request's passage restates the question (closest by cosine, first by the search),
    the response's passage answers it; the sentence model puts the answer first, the rest keep their order."""
    from kb.answers.answer import Evidence, by_answer

    texts = {"request": "Please tell me how many officers were dismissed after gross misconduct hearings in 2023.",
             "answer": "In 2023 the force dismissed 12 officers after gross misconduct hearings, and 3 more resigned.",
             "other": "The force publishes its misconduct hearing outcomes on its website each month.",
             "tail": "Contact the information rights team for any other request."}
    sims = {"request": 0.92, "answer": 0.74, "other": 0.55, "tail": 0.2}
    ranked = [Scored(cid, 1.0 - n / 10, {}, [(0, len(texts[cid]), sims[cid])]) for n, cid in enumerate(texts)]
    rows = {cid: {"title": "Misconduct dismissals", "doc": f"{cid}.txt"} for cid in texts}
    question = "How many officers did the force dismiss after gross misconduct hearings in 2023?"
    weights = {w: 1.0 for w in ("officers", "dismiss", "gross", "misconduct", "hearings", "2023", "force")}
    ev = Evidence(retrieved=[(r.chunk_id, r.score, r) for r in ranked], rows=rows, ranked=ranked, texts=texts, asking={"request"},
                  unknown={}, unknown_year=False, needs_number="number", weights=weights, asks="fact", question=question)
    ordered = [cid for cid, _ in by_answer(ev, limit=3)]
    assert ordered[0] == "answer" and ordered.index("request") > 0 and ordered[-1] == "tail"  # beyond the limit, as ranked
    scores = [s for _, s in by_answer(ev, limit=3)]
    assert scores == sorted(scores, reverse=True)
    assert [cid for cid, _ in by_answer(ev, limit=3, rank_weight=100.0)] == list(texts)  # the rank alone: the search's order
