"""POST /decisions: typed answers from the demo models, read by the official SDK and ours."""

from __future__ import annotations

import gumloop
import pytest

import gumloop_nb
from gumloop_nb.errors import APIStatusError

FEEDBACK = {
    "type": "choice",
    "instructions": "Classify the customer's message.",
    "criteria": {
        "complaint": "unhappy about a delivery, a broken product or service",
        "praise": "a happy customer thanking us",
        "question": "asks how to do something, e.g. a password reset or an invoice",
    },
}
SENTIMENT = {
    "type": "score",
    "instructions": "Rate the sentiment of the message.",
    "criteria": ["very negative", "negative", "neutral", "positive", "very positive"],
}
REFUND = {
    "type": "noul",
    "instructions": "Does the customer ask for a refund?",
    "criteria": {"true": "asks for a refund or money back", "false": "no money is requested"},
}
QUESTIONS = {"kind": FEEDBACK, "sentiment": SENTIMENT, "refund": REFUND}
ROWS = [
    "The parcel arrived late and the box was broken. I want a refund.",
    "Thank you, I love it: great product and fast shipping!",
    "How do I reset my password for the invoice portal?",
    "It was fine I guess.",
    {"review": "terrible and slow", "stars": 1},
]


def test_answers_have_the_contract_shapes_and_stay_in_range(http):
    for state in ROWS:
        r = http.post(
            "/decisions", json={"model": "claude-haiku-4-5", "state": state, "questions": QUESTIONS}
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["model"] == "claude-haiku-4-5"
        assert body["usage"]["input_tokens"] > 0 and body["usage"]["output_tokens"] >= 0
        kind, score, refund = (body["answers"][k] for k in ("kind", "sentiment", "refund"))
        assert kind["type"] == "choice" and kind["choice"] in FEEDBACK["criteria"]
        assert set(kind["probabilities"]) == set(FEEDBACK["criteria"])
        assert abs(sum(kind["probabilities"].values()) - 1) < 1e-6
        assert kind["confidence"] == max(kind["probabilities"].values())
        assert score["type"] == "score" and 0 <= score["score"] <= len(SENTIMENT["criteria"]) - 1
        assert score["legend"] == {str(i): c for i, c in enumerate(SENTIMENT["criteria"])}
        assert abs(sum(score["probabilities"].values()) - 1) < 1e-6
        assert refund["type"] == "noul" and 0 <= refund["noul"] <= 1
        for answer in (kind, score, refund):
            assert isinstance(answer["reason"], str) and answer["reason"]


def test_answers_follow_the_text(http):
    def ask(state):
        body = {"model": "gpt-4.1", "state": state, "questions": QUESTIONS}
        return http.post("/decisions", json=body).json()["answers"]

    angry, happy, asking = (ask(s) for s in ROWS[:3])
    assert angry["kind"]["choice"] == "complaint"
    assert happy["kind"]["choice"] == "praise"
    assert asking["kind"]["choice"] == "question"
    assert angry["sentiment"]["score"] < 2 < happy["sentiment"]["score"]
    assert angry["refund"]["noul"] > 0.5 > happy["refund"]["noul"]
    # The reason names the evidence it used.
    assert "refund" in angry["refund"]["reason"] or "broken" in angry["kind"]["reason"]
    # A written rating places the score on the rubric.
    high = ask("Rated 5/5 by our team")["sentiment"]["score"]
    low = ask("Rated 1/5 by our team")["sentiment"]["score"]
    assert high > 3 and low < 1


def test_the_same_request_gives_the_same_answers_and_rows_differ(http):
    body = {"model": "claude-sonnet-4-5", "state": "meh", "questions": QUESTIONS}
    first = http.post("/decisions", json=body).json()
    assert http.post("/decisions", json=body).json() == first
    other = http.post("/decisions", json={**body, "state": "fine"}).json()
    assert other["answers"] != first["answers"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"state": "x", "questions": QUESTIONS}, "model"),
        ({"model": "claude-haiku-4-5", "questions": QUESTIONS}, "state"),
        ({"model": "claude-haiku-4-5", "state": "x", "questions": {}}, "questions"),
        (
            {"model": "claude-haiku-4-5", "state": "x", "questions": {"q": {"type": "rank"}}},
            "questions.q",
        ),
        (
            {
                "model": "claude-haiku-4-5",
                "state": "x",
                "questions": {"q": {**FEEDBACK, "criteria": {"only": None}}},
            },
            "questions.q",
        ),
        (
            {
                "model": "claude-haiku-4-5",
                "state": "x",
                "questions": {"q": {**SENTIMENT, "criteria": ["one"]}},
            },
            "questions.q",
        ),
    ],
)
def test_invalid_requests_are_400_naming_the_field(http, body, param):
    r = http.post("/decisions", json=body)
    assert r.status_code == 400
    assert r.json()["error"]["param"] == param


def test_unknown_model_is_404(http):
    body = {"model": "no-such-model", "state": "x", "questions": QUESTIONS}
    r = http.post("/decisions", json=body)
    assert r.status_code == 404 and r.json()["error"]["code"] == "model_not_found"


def test_official_sdk_and_gumloop_nb_read_the_answers(em, closing):
    official = closing(gumloop.Gumloop(api_key="k", base_url=em.base_url))
    ours = closing(gumloop_nb.Gumloop(api_key="k", base_url=em.base_url))
    for client in (official, ours):
        r = client.decisions.create(
            model="typesafe/jev-1.13", state=ROWS[0], questions=QUESTIONS, team_id="team_demo"
        )
        assert r.answers["kind"].choice == "complaint"
        assert 0 <= r.answers["sentiment"].score <= 4
        assert 0 <= r.answers["refund"].noul <= 1
        assert r.usage.input_tokens > 0
    with pytest.raises(APIStatusError) as info:
        ours.decisions.create(model="nope", state="x", questions=QUESTIONS)
    assert info.value.status_code == 404
