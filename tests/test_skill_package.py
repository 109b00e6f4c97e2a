"""skill-package/ is valid for the ASK CLI and in sync with the English content."""

import json

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
        seen = {}
        for intent in language_model["intents"]:
            for sample in intent["samples"]:
                assert sample == sample.lower() and all(c.isalpha() or c in " '." for c in sample), sample
                assert seen.setdefault(sample, intent["name"]) == intent["name"], f"'{sample}' in two intents"


def test_manifest_carries_the_disclaimer(library):
    manifest = json.loads((PACKAGE_DIR / "skill.json").read_text())["manifest"]
    for code in ENGLISH_LOCALES:
        assert (
            library["en"].topics.see_doctor.disclaimer
            in manifest["publishingInformation"]["locales"][code]["description"]
        )


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
