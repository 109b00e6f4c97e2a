"""Intent matching in en, nb and da, measured on phrasings that are not in the sample lists."""

from pathlib import Path

import pytest

from kiosk.matcher import FALLBACK, IntentMatcher, normalize

DATA = Path(__file__).parent / "data"
MIN_ACCURACY = 0.8


@pytest.fixture(scope="module")
def matchers(library):
    return {code: IntentMatcher(lang.utterances) for code, lang in library.languages.items()}


def test_normalization_folds_spelling_variants():
    assert normalize("Hvornår bør jeg gå til LÆGE?") == normalize("hvornaar boer jeg gaa til laege")
    assert normalize("Ow, my calf!!") == "ow my calf"


@pytest.mark.parametrize("code", ["en", "nb", "da"])
def test_every_sample_phrase_matches_its_own_intent(matchers, library, code):
    for intent, phrases in library[code].utterances.items():
        for phrase in phrases:
            assert matchers[code].match(phrase).intent == intent, phrase


@pytest.mark.parametrize("code, text, intent", [
    ("en", "Cramp!", "CrampNowIntent"),
    ("en", "ow my calf is killing me", "CrampNowIntent"),
    ("en", "it's not getting any better", "AMAZON.NoIntent"),
    ("nb", "aa, leggen min", "CrampNowIntent"),
    ("nb", "hvorfor far jeg kramper", "WhyCrampsIntent"),
    ("da", "hvornaar skal jeg til laegen", "SeeDoctorIntent"),
    ("da", "naeste", "AMAZON.NextIntent"),
])
def test_natural_and_folded_phrasings(matchers, code, text, intent):
    assert matchers[code].match(text).intent == intent


@pytest.mark.parametrize("code", ["en", "nb", "da"])
def test_out_of_domain_and_empty_fall_back(matchers, code):
    for text in ("", "   ", "zxqv blorp"):
        match = matchers[code].match(text)
        assert match.intent == FALLBACK and match.confidence < 0.5


@pytest.mark.parametrize("code", ["en", "nb", "da"])
def test_accuracy_on_unseen_phrases(matchers, library, code):
    rows = [line.rstrip("\n").split("\t") for line in (DATA / f"unseen_{code}.tsv").read_text("utf-8").splitlines() if line]
    samples = {normalize(p) for p in library[code].phrases()}
    assert not [p for p, _ in rows if normalize(p) in samples], "held-out phrases must not be samples"
    right = sum(matchers[code].match(phrase).intent == intent for phrase, intent in rows)
    assert right / len(rows) >= MIN_ACCURACY, f"{code}: {right}/{len(rows)}"
