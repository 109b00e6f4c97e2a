"""Checks an Alexa response against the limits the skill promises."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from skill.ssml import MAX_BREAK_MS, MAX_SSML_CHARS


def lint_ssml(ssml: str) -> float:
    """Asserts valid XML, breaks of at most 10 s, at most 8,000 characters; returns total break seconds."""
    assert len(ssml) <= MAX_SSML_CHARS, len(ssml)
    root = ET.fromstring(ssml)  # raises on anything that is not well-formed XML
    assert root.tag == "speak"
    total = 0.0
    for element in root.iter("break"):
        match = re.fullmatch(r"(\d+)ms", element.get("time", ""))
        assert match, element.attrib
        assert 0 < int(match.group(1)) <= MAX_BREAK_MS
        total += int(match.group(1)) / 1000
    return total


def lint_response(data: dict) -> float:
    response = data["response"]
    seconds = lint_ssml(response["outputSpeech"]["ssml"])
    if not response.get("shouldEndSession", True) or "reprompt" in response:
        lint_ssml(response["reprompt"]["outputSpeech"]["ssml"])
    if response.get("shouldEndSession") is False:
        assert response.get("reprompt"), "an open session needs a reprompt"
    return seconds


def speech_text(data: dict) -> str:
    """The spoken words of a response, tags removed."""
    return " ".join(ET.fromstring(data["response"]["outputSpeech"]["ssml"]).itertext())
