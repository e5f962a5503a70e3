from __future__ import annotations

import pytest

from gumloop_nb.emulator.llm import MODELS, plan_completion

from ._support import chat, without_clock


def test_the_same_request_gives_the_same_answer_and_id():
    first = chat("Explain how vector databases index embeddings").unary()
    second = chat("Explain how vector databases index embeddings").unary()
    assert without_clock(first) == without_clock(second)
    assert first["id"].startswith("gen-")


def test_different_prompts_give_different_answers_that_mention_the_prompt():
    a = chat("Explain how vector databases index embeddings").text
    b = chat("Why do sourdough breads need a starter culture?").text
    assert a != b
    assert "embeddings" in a.lower()
    assert "sourdough" in b.lower() or "starter culture" in b.lower()


def test_models_answer_the_same_prompt_differently():
    prompt = "How should a small team adopt continuous integration?"
    texts = {
        name: chat(prompt, model=name).text
        for name in ("claude-sonnet-4-5", "gpt-4.1", "gemini-2.5-flash")
    }
    assert len(set(texts.values())) == 3
    # The flash model is the terse one.
    assert len(texts["gemini-2.5-flash"]) < len(texts["claude-sonnet-4-5"])


def test_seed_changes_the_wording_but_not_the_determinism():
    base = chat("Describe the benefits of unit testing", seed=1).text
    assert chat("Describe the benefits of unit testing", seed=1).text == base
    others = {chat("Describe the benefits of unit testing", seed=s).text for s in range(2, 8)}
    assert others - {base}


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert('x')</script>",
        "  two leading spaces, one is kept",
        "# Title\n\n- **bold** and `code`\n<img src=x onerror=alert(1)>\n",
        "unicode: café – 日本語 🎉\ttab",
        "",
    ],
)
def test_repeat_exactly_answers_byte_for_byte(payload):
    plan = chat("Repeat exactly: " + payload)
    assert plan.text == payload
    streamed = "".join(
        c["choices"][0]["delta"].get("content") or "" for _, c in plan.stream_chunks()
    )
    assert streamed == payload


def test_repeat_exactly_without_a_space_keeps_everything():
    assert chat("Repeat exactly:<b>x</b>").text == "<b>x</b>"


def test_demo_prompts_get_factual_answers():
    assert "4" in chat("What is 2+2?").text
    assert "Paris" in chat("What is the capital of France?").text
    assert "Gumloop" in chat("What is Gumloop?").text
    haiku = chat("Write a haiku about data").text
    assert haiku.count("\n") == 2


def test_an_error_prompt_gets_an_explanation_quoting_the_exception_and_line():
    prompt = (
        "Explain this error:\nTraceback (most recent call last):\n"
        '  File "<ipython-input-7>", line 12, in <module>\n'
        "    total = prices['amount']\nKeyError: 'amount'\n"
    )
    text = chat(prompt).text
    assert "KeyError" in text
    assert "line 12" in text
    assert "'amount'" in text


def test_code_requests_get_a_fenced_code_block():
    text = chat("Write a Python function that computes fibonacci numbers").text
    assert "```python" in text
    assert "def fibonacci" in text
    compile(text.split("```python\n")[1].split("```")[0], "<answer>", "exec")


def test_list_requests_get_a_markdown_list_of_the_asked_length():
    text = chat("List 4 ways to reduce cloud costs", model="gpt-4.1").text
    assert [line[:2] for line in text.splitlines() if line[:1].isdigit()] == [
        "1.",
        "2.",
        "3.",
        "4.",
    ]


def test_a_system_prompt_changes_the_tone():
    plain = chat("Tell me about sailing boats").text
    pirate = plan_completion(
        {
            "model": "claude-sonnet-4-5",
            "messages": [
                {"role": "system", "content": "You are a pirate."},
                {"role": "user", "content": "Tell me about sailing boats"},
            ],
        }
    ).text
    concise = plan_completion(
        {
            "model": "claude-sonnet-4-5",
            "messages": [
                {"role": "system", "content": "Be concise."},
                {"role": "user", "content": "Tell me about sailing boats"},
            ],
        }
    ).text
    assert pirate != plain and "Arr" in pirate
    assert len(concise) < len(plain)


@pytest.mark.parametrize("key", ["max_completion_tokens", "max_tokens"])
def test_token_limits_truncate_with_finish_reason_length(key):
    full = chat("Explain the history of the printing press in detail")
    limited = chat("Explain the history of the printing press in detail", **{key: 5})
    result = limited.unary()
    assert result["choices"][0]["finish_reason"] == "length"
    assert result["usage"]["completion_tokens"] <= 5
    assert full.text.startswith(limited.text) and len(limited.text) < len(full.text)


def test_stop_sequences_cut_the_answer():
    text = chat("Repeat exactly: alpha STOP beta", stop=["STOP"]).text
    assert text == "alpha "


def test_usage_counts_tokens_and_prices_them_from_the_model_spec():
    plan = chat("Summarise the plot of Hamlet", model="gpt-4.1")
    usage = plan.unary()["usage"]
    spec = MODELS["gpt-4.1"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["completion_tokens"] == max(1, -(-len(plan.text) // 4))
    expected = (
        usage["prompt_tokens"] * spec.cost_per_1k_input
        + usage["completion_tokens"] * spec.cost_per_1k_output
    ) / 1000
    assert usage["cost"] == pytest.approx(expected, rel=1e-3)
    assert usage["is_byok"] is False


def test_json_object_format_returns_a_json_object_about_the_prompt():
    import json

    text = chat("Give me facts about penguins", response_format={"type": "json_object"}).text
    value = json.loads(text)
    assert isinstance(value, dict) and "penguins" in json.dumps(value)


def test_an_attached_png_is_acknowledged_with_its_size():
    png = chat("a cat", model="gpt-image-1", modalities=["image", "text"]).unary()
    url = png["choices"][0]["message"]["images"][0]["image_url"]["url"]
    plan = plan_completion(
        {
            "model": "gpt-4.1",
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What is in this picture?"},
                        {"type": "image_url", "image_url": {"url": url}},
                    ],
                }
            ],
        }
    )
    assert "512x512 PNG" in plan.text
    assert plan.unary()["usage"]["prompt_tokens"] >= 85


def test_multi_part_user_content_is_read():
    plan = plan_completion(
        {
            "model": "gpt-4.1",
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Repeat exactly: parts work"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                    ],
                }
            ],
        }
    )
    assert plan.text == "parts work"


@pytest.mark.parametrize(
    ("prompt", "answer"),
    [
        ("What is 12 * 7?", "84"),
        ("Calculate 3.5 + 4 / 2", "5.5"),
        ("What is 2^10?", "1024"),
    ],
)
def test_simple_arithmetic_is_worked_out(prompt, answer):
    assert chat(prompt).text.rstrip(".").endswith(f"= {answer}")


def test_numbers_inside_sentences_are_not_treated_as_sums():
    assert "=" not in chat("Meeting on 2024-01-15, what time works for everyone?").text
    assert "=" not in chat("What is 9 ** 60 ** 60?").text  # refuses costly powers


def test_summaries_use_the_given_text():
    text = chat("Summarize: Otters hold hands while sleeping. They also use rocks as tools.").text
    assert text.startswith("Otters hold hands while sleeping.")
    assert len(text) < 120


@pytest.mark.parametrize(
    ("review", "label"),
    [
        ("The delivery was late and the box was broken.", "Negative"),
        ("I love this product, it is amazing!", "Positive"),
        ("The package arrived on Tuesday.", "Neutral"),
    ],
)
def test_sentiment_requests_get_a_label_from_the_text(review, label):
    assert chat(f"Classify the sentiment of this review: {review}").text.startswith(label)


def test_a_fix_prompt_quotes_the_failing_cell_line_even_when_asked_to_be_concise():
    source = "import math\nvalues = [1, 2]\nprint(values[5])\n"
    trace = (
        "Traceback (most recent call last):\n"
        '  File "/tmp/ipykernel_7/1.py", line 3, in <module>\n'
        "    print(values[5])\n"
        "IndexError: list index out of range\n"
    )
    prompt = (
        f"Explain this Python error from a Jupyter notebook and propose a fix.\n\n"
        f"Cell:\n```python\n{source}```\n\nTraceback:\n```\n{trace}```"
    )
    text = plan_completion(
        {
            "model": "gpt-4.1",
            "messages": [
                {"role": "system", "content": "You are a concise Python debugging assistant."},
                {"role": "user", "content": prompt},
            ],
        }
    ).text
    assert "IndexError" in text and "line 3" in text and "list index out of range" in text
    assert "print(values[5])" in text
    assert "How to fix it" in text


def _thread(*turns):
    messages = []
    for turn in turns:
        messages += [{"role": "user", "content": turn}, {"role": "assistant", "content": "ok"}]
    return plan_completion({"model": "gpt-4.1", "messages": messages[:-1]}).text


def test_follow_up_questions_stay_on_the_earlier_topic():
    text = _thread("Explain how solar panels convert light", "Tell me more about it")
    assert "solar panels" in text
    assert text != chat("Tell me more about it", model="gpt-4.1").text


def test_the_model_can_recall_the_previous_question():
    assert _thread("Explain how tides work", "What did I just ask?") == (
        'You asked: "Explain how tides work"'
    )


def test_how_to_questions_get_numbered_steps_about_the_topic():
    text = chat("How do I deploy a Flask app to production?").text
    steps = [line for line in text.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert len(steps) == 3 and "Flask app" in text


def test_tips_requests_get_a_list_without_echoing_the_word_tips_as_a_topic():
    text = chat("Give me tips for a job interview").text
    assert "1. **" in text and "job interview" in text
    assert "**Tips**" not in text


def test_demo_facts_agree_with_the_bundled_dataset():
    assert "Jupiter" in chat("Which is the largest planet?").text
    assert "299,792,458" in chat("What is the speed of light?").text
