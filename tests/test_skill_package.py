"""skill-package/ is valid for the ASK CLI, in sync with the English content, and passes what
certification checks in it."""

import json
import re

from skill.interaction_model import ENGLISH_LOCALES, INVOCATION, PACKAGE_DIR, package_files


def test_checked_in_package_is_up_to_date(library):
    for path, text in package_files(library).items():
        assert path.exists(), f"{path} is missing: run `python -m skill model`"
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is out of date: run `python -m skill model`"


def test_interaction_models_are_valid(library):
    for code in ENGLISH_LOCALES:
        model = json.loads((PACKAGE_DIR / "interactionModels" / "custom" / f"{code}.json").read_text())
        language_model = model["interactionModel"]["languageModel"]
        assert language_model["invocationName"] == INVOCATION
        names = {intent["name"] for intent in language_model["intents"]}
        assert {
            "AMAZON.StopIntent",
            "AMAZON.CancelIntent",
            "AMAZON.HelpIntent",
            "AMAZON.NavigateHomeIntent",
            "AMAZON.FallbackIntent",
            "CrampNowIntent",
        } <= names


def test_manifest_carries_the_disclaimer(library):
    manifest = json.loads((PACKAGE_DIR / "skill.json").read_text())["manifest"]
    for code in ENGLISH_LOCALES:
        assert (
            library["en"].topics.see_doctor.disclaimer
            in manifest["publishingInformation"]["locales"][code]["description"]
        )


# What certification checks in the package: example phrases that are sample utterances, and the rules for
# samples and invocation names. They read the checked-in files, which the first test keeps in sync.

ALLOWED_TOKEN = re.compile(
    r"\{\w+\}"  # a slot
    r"|(?:[^\W\d_]\.)+"  # an abbreviation: "a.m."
    r"|[^\W\d_]+(?:'[^\W\d_]*)*"  # a word, with its apostrophes: "i've", "calves'"
)
EXAMPLE = re.compile(r"Alexa, (?P<verb>ask|tell|open) (?P<rest>.+)")


def locale_models() -> dict[str, dict]:
    """Each locale of skill.json with its interaction model's language model."""
    manifest = json.loads((PACKAGE_DIR / "skill.json").read_text(encoding="utf-8"))["manifest"]
    models = {}
    for code in manifest["publishingInformation"]["locales"]:
        path = PACKAGE_DIR / "interactionModels" / "custom" / f"{code}.json"
        models[code] = json.loads(path.read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
    return models


def sample_pattern(sample: str) -> re.Pattern:
    """A sample as a pattern over what may be said: each slot stands for one or more words."""
    parts = re.split(r"\{\w+\}", sample.lower())
    return re.compile(r"\S+(?: \S+)*".join(map(re.escape, parts)))


def intent_of(utterance: str, language_model: dict) -> str | None:
    said = " ".join(utterance.lower().split())
    for intent in language_model["intents"]:
        if any(sample_pattern(sample).fullmatch(said) for sample in intent["samples"]):
            return intent["name"]
    return None


def example_intent(phrase: str, language_model: dict) -> str | None:
    """The intent an example phrase starts, or None when it is not "Alexa, ask|tell|open <invocation> …"
    with the model's invocation name and, after "ask" or "tell", one of its sample utterances."""
    match = EXAMPLE.fullmatch(phrase)
    invocation = language_model["invocationName"]
    if not match or not (match["rest"].lower() + " ").startswith(invocation + " "):
        return None
    utterance = match["rest"][len(invocation) :].strip()
    if match["verb"] == "open":
        return "launch" if not utterance else None
    utterance = utterance.removeprefix("to ")
    return intent_of(utterance, language_model) if utterance else None


def test_example_phrases_are_sample_utterances():
    manifest = json.loads((PACKAGE_DIR / "skill.json").read_text(encoding="utf-8"))["manifest"]
    wrong = []
    for code, language_model in locale_models().items():
        phrases = manifest["publishingInformation"]["locales"][code]["examplePhrases"]
        assert 1 <= len(phrases) <= 3, f"{code}: one to three example phrases"
        wrong += [f"{code}: {phrase}" for phrase in phrases if not example_intent(phrase, language_model)]
    assert not wrong, "example phrases that start no intent of their model"


def test_samples_follow_the_certification_rules():
    for code, language_model in locale_models().items():
        owner = {}
        for intent in language_model["intents"]:
            for sample in intent["samples"]:
                assert all(ALLOWED_TOKEN.fullmatch(t) for t in sample.split(" ")), f"{code}: '{sample}'"
                assert owner.setdefault(sample.lower(), intent["name"]) == intent["name"], f"{code}: '{sample}' twice"


def test_invocation_names_follow_the_certification_rules():
    for code, language_model in locale_models().items():
        words = language_model["invocationName"].split(" ")
        assert len(words) >= 2 and all(w.isalpha() and w == w.lower() for w in words), code
        assert not {"alexa", "skill", "app"} & set(words), f"{code}: '{' '.join(words)}'"


def test_the_checks_catch_what_certification_rejects():
    """The checks above on a made-up model, so they are known to fail where they should."""
    model = {
        "invocationName": "leg cramp coach",
        "intents": [{"name": "CrampNowIntent", "samples": ["i have a cramp", "cramp in my {Leg}"]}],
    }
    assert example_intent("Alexa, open leg cramp coach", model) == "launch"
    assert example_intent("Alexa, tell leg cramp coach I have a cramp", model) == "CrampNowIntent"
    assert example_intent("Alexa, ask leg cramp coach to help with a cramp", model) is None
    assert example_intent("Alexa, ask cramp coach i have a cramp", model) is None
    assert example_intent("Alexa, open leg cramp coach i have a cramp", model) is None
    assert example_intent("Alexa, ask leg cramp coach to cramp in my left calf", model) == "CrampNowIntent"
    assert all(ALLOWED_TOKEN.fullmatch(t) for t in ("i've", "a.m.", "{Leg}", "lår", "føtter", "kræmpe"))
    assert not any(ALLOWED_TOKEN.fullmatch(t) for t in ("3", "cramp!", "a-b", "{leg", "a..m", "co.uk"))


def test_lambda_handler_answers_a_launch(tmp_path, monkeypatch):
    import importlib

    from tests.alexa_signing import envelope

    monkeypatch.setenv("PERSISTENCE", "sqlite")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ALEXA_SKILL_ID", "amzn1.ask.skill.lambda")
    module = importlib.import_module("skill.lambda_function")
    module = importlib.reload(module)
    response = module.lambda_handler(envelope(application_id="amzn1.ask.skill.lambda"), None)
    assert "<speak>" in response["response"]["outputSpeech"]["ssml"]
    assert (tmp_path / "profiles.sqlite3").exists()
