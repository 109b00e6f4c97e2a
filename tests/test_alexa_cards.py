"""Cards in the Alexa app: every reply that changes the screen leaves its words there, in every language.

Requests go through POST /alexa, signed, and the real ask-sdk handling. Expected text comes from the
loaded content, never written out here.
"""

from __future__ import annotations

import re

import pytest

from coach.engine import part_end
from coach.reply import ArticleView, Profile, Reply
from skill.alexa import MAX_CARD_CHARS, fit, language_of, reply_card

LOCALES = ("en-US", "nb-NO", "da-DK")


@pytest.fixture(params=LOCALES)
def talk(request, alexa, library):
    """A signed Alexa client in one locale, and that locale's content."""
    alexa.locale = request.param
    return alexa, library[language_of(request.param)]


def card(data: dict) -> dict:
    """The reply's card, checked against what Alexa takes: a simple card of plain text within the limit."""
    found = data["response"]["card"]
    assert found["type"] == "Simple" and found["title"] and found["content"]
    assert len(found["title"]) + len(found["content"]) <= MAX_CARD_CHARS
    for text in (found["title"], found["content"]):
        assert not re.search(r"</?[a-z]+[^>]*>|&\w+;", text), f"markup in a card: {text!r}"
    return found


def test_launch_card_is_the_welcome(talk):
    alexa, lang = talk
    shown = card(alexa.launch())
    assert shown["title"] == lang.ui["app_name"]
    assert lang.say["welcome"] in shown["content"] and lang.say["ask_cramp_now"] in shown["content"]


def test_routine_card_lists_the_steps_of_the_part(talk):
    alexa, lang = talk
    routine = lang.routines.cramp_now
    alexa.launch()
    start = 0
    for intent in ("CrampNowIntent", "AMAZON.YesIntent"):  # "yes" goes on, at "is it easing?" too
        shown = card(alexa.say(intent))
        end = part_end(routine.steps, start)
        assert shown["title"] == routine.title
        assert shown["content"].split("\n") == [line for step in routine.steps[start:end] for line in lines(step)]
        start = end


def lines(step) -> list[str]:
    return [step.show, step.say] if step.kind == "doctor" else [step.show]


@pytest.mark.parametrize("answer", ["AMAZON.YesIntent", "AMAZON.NoIntent"])
def test_the_card_left_after_a_cramp_names_every_warning_sign(talk, answer):
    """Read again in the morning, the card holds the doctor advice in full, not only its short line."""
    alexa, lang = talk
    alexa.launch()
    alexa.say("CrampNowIntent")
    for _ in range(3):  # "no" is asked once more, then the routine ends
        data = alexa.say(answer)
        if data["response"]["shouldEndSession"]:
            break
    assert data["response"]["shouldEndSession"]
    doctor = [step for step in lang.routines.cramp_now.steps if step.kind == "doctor"]
    assert doctor
    content = card(data)["content"]
    for step in doctor:
        assert step.say in content


def test_topic_card_is_the_item(talk):
    alexa, lang = talk
    causes = lang.topics.causes
    alexa.launch()
    summary = card(alexa.say("WhyCrampsIntent"))
    assert summary["title"] == causes.title and causes.summary in summary["content"]
    first = card(alexa.say("AMAZON.NextIntent"))
    assert first["title"] == causes.title
    item = causes.items[0]
    for text in (item.title, item.summary, item.detail):
        assert text in first["content"]


def test_article_card_is_the_section(talk):
    alexa, lang = talk
    section = lang.article.sections[0]
    alexa.launch()
    shown = card(alexa.say("ReadArticleIntent"))
    assert shown["title"] == section.heading
    assert shown["content"].split("\n") == list(section.paragraphs)


def test_sources_card_lists_every_citation(talk, library):
    alexa, lang = talk
    sections = lang.article.sections
    alexa.launch()
    data = alexa.say("ReadArticleIntent")
    for _ in range(len(sections) - 1):
        data = alexa.say("AMAZON.NextIntent")
    section = sections[-1]
    assert section.include_sources
    shown = card(data)
    assert shown["title"] == section.heading
    for text in (*section.paragraphs, *(source.citation for source in library.sources.values())):
        assert text in shown["content"]


def test_goodbye_card_is_what_was_said(talk):
    alexa, lang = talk
    alexa.launch()
    data = alexa.say("AMAZON.StopIntent")
    assert data["response"]["shouldEndSession"] is True
    shown = card(data)
    assert shown["title"] == lang.ui["app_name"] and lang.say["goodbye"] in shown["content"]


@pytest.mark.parametrize("intent", ["AMAZON.HelpIntent", "AMAZON.FallbackIntent", "SlowerIntent"])
def test_replies_that_keep_the_screen_leave_the_card(alexa, intent):
    alexa.launch()
    alexa.say("ReadArticleIntent")
    assert "card" not in alexa.say(intent)["response"]


def test_a_card_too_long_for_alexa_ends_after_a_whole_sentence(library):
    sentence = "A cramp is a sudden tightening of a muscle that you cannot control. "
    paragraphs = (sentence * 80,) * 3  # about 16,000 characters
    view = ArticleView(
        title="Article", section=0, sections=("Long",), heading="Long", paragraphs=paragraphs, sources=()
    )
    reply = Reply([], "", None, False, {}, Profile(), view)
    shown = reply_card(reply, library["en"])
    assert shown is not None and shown.title == "Long" and shown.content is not None
    assert len(shown.title) + len(shown.content) <= MAX_CARD_CHARS
    assert shown.content.endswith(sentence.strip()) and "\n".join(paragraphs).startswith(shown.content)
    assert len(shown.content) > MAX_CARD_CHARS - len(sentence) - len(shown.title)  # nothing more left out


def test_fit_cuts_at_a_line_or_a_word_when_no_sentence_ends():
    assert fit("Short.", 100) == "Short."
    assert fit("Calf stretch\nToes up\nBreathe slowly", 25) == "Calf stretch\nToes up"
    assert fit("one two three four", 12) == "one two…"
    assert len(fit("x" * 50, 10)) == 10
