"""Builds the ASK CLI skill package (skill.json and the interaction models) from content/."""

from __future__ import annotations

import json
import re
from pathlib import Path

from content import INTENTS, Library

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "skill-package"
INVOCATION = "leg cramp coach"
ENGLISH_LOCALES = ("en-US", "en-GB", "en-AU", "en-CA", "en-IN")
NO_SAMPLES = {"AMAZON.FallbackIntent"}  # Alexa accepts no sample phrases for it
# Certification wants each example's words after the invocation name to be a sample of an intent.
EXAMPLES = (
    f"Alexa, open {INVOCATION}",
    f"Alexa, tell {INVOCATION} I have a cramp",
    f"Alexa, ask {INVOCATION} what causes leg cramps at night",
)


def alexa_sample(phrase: str) -> str:
    """Alexa samples take letters, spaces, apostrophes and periods only."""
    return " ".join(re.sub(r"[^\w' .]", " ", phrase.lower()).split())


SECTION_SLOT = "section"  # GoToSectionIntent's samples are said before the section's number or name


def interaction_model(library: Library) -> dict:
    en = library["en"]
    intents = []
    for name in INTENTS:
        intent: dict = {"name": name, "samples": []}
        if name not in NO_SAMPLES:
            intent["samples"] = sorted({alexa_sample(p) for p in en.utterances[name]} - {""})
        if name == "GoToSectionIntent":
            intent["samples"] = [f"{sample} {{{SECTION_SLOT}}}" for sample in intent["samples"]]
            intent["slots"] = [{"name": SECTION_SLOT, "type": "ARTICLE_SECTION"}]
        intents.append(intent)
    sections = [
        {
            "id": section.id,
            "name": {
                "value": alexa_sample(section.heading),
                "synonyms": sorted({str(index + 1)} | {alexa_sample(name) for name in section.names}),
            },
        }
        for index, section in enumerate(en.article.sections)
    ]
    types = [{"name": "ARTICLE_SECTION", "values": sections}]
    return {"interactionModel": {"languageModel": {"invocationName": INVOCATION, "intents": intents, "types": types}}}


def skill_manifest(library: Library) -> dict:
    en = library["en"]
    disclaimer = en.topics.see_doctor.disclaimer
    description = (
        f"{en.ui['app_name']} helps with night-time leg cramps: it guides a gentle calf stretch "
        f"with timed holds, explains why cramps happen, reads prevention advice and a whole article "
        f"aloud, and says when to see a doctor. {disclaimer}"
    )
    locale = {
        "name": "Leg Cramp Coach",
        "summary": "Calm, step-by-step help with night-time leg cramps.",
        "description": description,
        "examplePhrases": list(EXAMPLES),
        "keywords": ["leg cramp", "calf cramp", "night cramps", "stretch", "health"],
    }
    return {
        "manifest": {
            "manifestVersion": "1.0",
            "publishingInformation": {
                "locales": {code: locale for code in ENGLISH_LOCALES},
                "isAvailableWorldwide": True,
                "category": "HEALTH_AND_FITNESS",
                "distributionCountries": [],
                "testingInstructions": description,
            },
            "privacyAndCompliance": {
                "allowsPurchases": False,
                "usesPersonalInfo": False,
                "isChildDirected": False,
                "isExportCompliant": True,
                "containsAds": False,
                "locales": {code: {} for code in ENGLISH_LOCALES},
            },
            "apis": {"custom": {"interfaces": []}},
        }
    }


def package_files(library: Library) -> dict[Path, str]:
    """Every file of skill-package/, as text, keyed by path."""

    def dump(data):
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    files = {PACKAGE_DIR / "skill.json": dump(skill_manifest(library))}
    model = dump(interaction_model(library))
    for code in ENGLISH_LOCALES:
        files[PACKAGE_DIR / "interactionModels" / "custom" / f"{code}.json"] = model
    return files


def write_package(library: Library) -> list[Path]:
    written = []
    for path, text in package_files(library).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
