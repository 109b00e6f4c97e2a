"""Checks that span files and languages: parity, references, keys, sentence length."""

from __future__ import annotations

import re
from string import Formatter

from .loader import Problem
from .model import INTENTS, PRESS_KEYS, SAY_KEYS, UI_KEYS, Language, Library

MAX_ROUTINE_WORDS = 14  # a sentence someone half-awake can follow in one go
MIN_UTTERANCES = 12
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_UTTERANCE_CHARS = re.compile(r"^[^\W_]+(?:['’ ][^\W_]+)*'?$")


def sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text.strip()) if part]


def word_count(sentence: str) -> int:
    return len(re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", sentence))


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name is not None}


def normalize_phrase(phrase: str) -> str:
    return " ".join(phrase.lower().replace("’", "'").split())


def _check_keys(rel: str, table: str, values: dict[str, str], spec: dict[str, tuple]) -> list[Problem]:
    problems = []
    for key in spec.keys() - values.keys():
        problems.append(Problem(rel, f"{table}.{key}", "required key is missing"))
    for key in values.keys() - spec.keys():
        problems.append(Problem(rel, f"{table}.{key}", "unknown key"))
    for key, text in values.items():
        if key not in spec:
            continue
        if not text.strip():
            problems.append(Problem(rel, f"{table}.{key}", "text is empty"))
            continue
        try:
            found = placeholders(text)
        except ValueError as error:
            problems.append(Problem(rel, f"{table}.{key}", f"bad placeholder: {error}"))
            continue
        if found != set(spec[key]):
            want = ", ".join(f"{{{p}}}" for p in spec[key]) or "none"
            problems.append(Problem(rel, f"{table}.{key}", f"placeholders must be {want}"))
    return problems


def _check_prompts(lang: Language) -> list[Problem]:
    rel = f"content/{lang.code}/prompts.toml"
    press = {key: SAY_KEYS[key] for key in PRESS_KEYS}
    problems = _check_keys(rel, "say", lang.say, SAY_KEYS) + _check_keys(rel, "ui", lang.ui, UI_KEYS)
    return problems + _check_keys(rel, "press", lang.press, press)


def _check_utterances(lang: Language) -> list[Problem]:
    rel = f"content/{lang.code}/utterances.toml"
    problems = [Problem(rel, i, "intent is missing") for i in INTENTS if i not in lang.utterances]
    problems += [Problem(rel, i, "unknown intent") for i in lang.utterances if i not in INTENTS]
    owner: dict[str, str] = {}
    for intent, phrases in lang.utterances.items():
        if len(phrases) < MIN_UTTERANCES:
            problems.append(Problem(rel, intent, f"has {len(phrases)} phrases, needs at least {MIN_UTTERANCES}"))
        for phrase in phrases:
            key = normalize_phrase(phrase)
            if not key:
                problems.append(Problem(rel, intent, "a phrase is empty"))
            elif not _UTTERANCE_CHARS.match(key):
                problems.append(Problem(rel, intent, f"'{phrase}': letters, spaces and apostrophes only"))
            elif owner.get(key, intent) != intent:
                problems.append(Problem(rel, intent, f"'{phrase}' also stands under {owner[key]}"))
            owner.setdefault(key, intent)
    return problems


def _check_phrasings(lang: Language) -> list[Problem]:
    """Every label known, every phrase once, and none that is already a sample phrase of another intent."""
    rel = f"content/{lang.code}/phrasings.toml"
    labelled = [("out_of_scope", p) for p in lang.phrasings.out_of_scope]
    problems = []
    for intent, phrases in lang.phrasings.intents.items():
        if intent not in INTENTS or intent == "AMAZON.FallbackIntent":
            problems.append(
                Problem(rel, f"intents.{intent}", "unknown intent (out-of-scope talk goes under out_of_scope)")
            )
        labelled += [(f"intents.{intent}", p) for p in phrases]
    samples = {normalize_phrase(p): intent for intent, phrases in lang.utterances.items() for p in phrases}
    owner: dict[str, str] = {}
    for label, phrase in labelled:
        key = normalize_phrase(phrase)
        if not key:
            problems.append(Problem(rel, label, "a phrase is empty"))
        elif key in owner:
            problems.append(Problem(rel, label, f"'{phrase}' also stands under {owner[key]}"))
        elif key in samples:
            problems.append(Problem(rel, label, f"'{phrase}' is already a sample phrase of {samples[key]}"))
        owner.setdefault(key, label)
    return problems


def _check_routines(lang: Language) -> list[Problem]:
    rel = f"content/{lang.code}/routines.toml"
    problems = []
    for name in ("cramp_now", "bedtime_stretch"):
        routine = lang.routine(name)
        texts = [("intro", routine.intro)] + [(f"steps[{s.id}].say", s.say) for s in routine.steps]
        for item, text in texts:
            for sentence in sentences(text):
                if word_count(sentence) > MAX_ROUTINE_WORDS:
                    problems.append(
                        Problem(
                            rel,
                            f"{name}.{item}",
                            f"sentence has {word_count(sentence)} words, at most {MAX_ROUTINE_WORDS}: '{sentence}'",
                        )
                    )
    cramp = lang.routines.cramp_now
    kinds = {step.kind for step in cramp.steps}
    ids = [step.id for step in cramp.steps]
    for needed in ("hold", "check", "doctor"):
        if needed not in kinds:
            problems.append(Problem(rel, "cramp_now.steps", f"needs a step of kind '{needed}'"))
    if "stretch" not in ids:
        problems.append(Problem(rel, "cramp_now.steps", "needs the step 'stretch' (a 'no' at the check returns there)"))
    elif "check" in kinds and ids.index("stretch") > [s.kind for s in cramp.steps].index("check"):
        problems.append(Problem(rel, "cramp_now.steps", "'stretch' must come before the check"))
    if cramp.max_repeats < 1:
        problems.append(Problem(rel, "cramp_now.max_repeats", "must be at least 1"))
    return problems


def _ids(rel: str, where: str, ids: list[str]) -> list[Problem]:
    seen, problems = set(), []
    for item_id in ids:
        if item_id in seen:
            problems.append(Problem(rel, f"{where}[{item_id}]", "id is used twice"))
        seen.add(item_id)
    return problems


def _shape(lang: Language) -> dict[str, list]:
    """What must be identical across languages: ids, kinds, timings and the sources behind each
    item, so every language says the same things on the same authority."""
    shape: dict[str, list] = {}
    for name in ("cramp_now", "bedtime_stretch"):
        routine = lang.routine(name)
        shape[f"routines.toml {name}.steps"] = [(s.id, s.kind, s.hold, s.reps, s.wait) for s in routine.steps]
        shape[f"routines.toml {name}.max_repeats"] = [routine.max_repeats]
        shape[f"routines.toml {name}.sources"] = [(s.id, sorted(s.sources)) for s in routine.steps]
    for name in ("causes", "prevention", "see_doctor"):
        shape[f"topics.toml {name}.items"] = [i.id for i in lang.topic(name).items]
        shape[f"topics.toml {name}.sources"] = [(i.id, sorted(i.sources)) for i in lang.topic(name).items]
    shape["article.toml sections"] = [s.id for s in lang.article.sections]
    shape["article.toml sources"] = [(s.id, sorted(s.sources)) for s in lang.article.sections]
    return shape


def _source_lists(lang: Language) -> list[tuple[str, str, tuple[str, ...]]]:
    """(file, item, sources) for every step, topic item and article section that cites sources."""
    refs = []
    for name in ("cramp_now", "bedtime_stretch"):
        refs += [("routines", f"{name}.steps[{s.id}]", s.sources) for s in lang.routine(name).steps]
    for name in ("causes", "prevention", "see_doctor"):
        refs += [("topics", f"{name}.items[{i.id}]", i.sources) for i in lang.topic(name).items]
    return refs + [("article", f"sections[{s.id}]", s.sources) for s in lang.article.sections]


def _references(lang: Language, known: set[str]) -> list[Problem]:
    problems = []
    for file, item, sources in _source_lists(lang):
        for source in sources:
            if source not in known:
                problems.append(
                    Problem(f"content/{lang.code}/{file}.toml", item, f"source '{source}' is not in sources.toml")
                )
    return problems


def _cited(lang: Language) -> set[str]:
    return {source for _, _, sources in _source_lists(lang) for source in sources}


def _section_names(lang: Language) -> list[Problem]:
    """Every name of a section finds that section, so "go to …" never lands elsewhere."""
    rel, sections = f"content/{lang.code}/article.toml", lang.article.sections
    return [
        Problem(rel, f"sections[{section.id}].names", f"'{name}' finds another section")
        for index, section in enumerate(sections)
        for name in section.names
        if lang.article.find_section(name) != index
    ]


def _empty_strings(lang: Language) -> list[Problem]:
    rel = f"content/{lang.code}/article.toml"
    return [
        Problem(rel, f"sections[{s.id}].paragraphs", "a paragraph is empty")
        for s in lang.article.sections
        if any(not p.strip() for p in s.paragraphs)
    ]


def check_library(library: Library) -> list[Problem]:
    problems = []
    known = set(library.sources)
    langs = list(library.languages.values())
    for lang in langs:
        problems += _check_prompts(lang) + _check_utterances(lang) + _check_phrasings(lang) + _check_routines(lang)
        problems += _references(lang, known) + _empty_strings(lang) + _section_names(lang)
        for name in ("cramp_now", "bedtime_stretch"):
            problems += _ids(
                f"content/{lang.code}/routines.toml", f"{name}.steps", [s.id for s in lang.routine(name).steps]
            )
        for name in ("causes", "prevention", "see_doctor"):
            problems += _ids(
                f"content/{lang.code}/topics.toml", f"{name}.items", [i.id for i in lang.topic(name).items]
            )
        problems += _ids(f"content/{lang.code}/article.toml", "sections", [s.id for s in lang.article.sections])
        if not any(s.include_sources for s in lang.article.sections):
            problems.append(
                Problem(f"content/{lang.code}/article.toml", "sections", "one section must have include_sources = true")
            )
    cited = set().union(*(_cited(lang) for lang in langs)) if langs else set()
    for source_id in library.sources.keys() - cited:
        problems.append(Problem("content/sources.toml", source_id, "no content cites this source: remove it"))
    if langs:
        reference = langs[0]
        ref_shape = _shape(reference)
        for lang in langs[1:]:
            for where, value in _shape(lang).items():
                if value != ref_shape[where]:
                    file, item = where.split(" ", 1)
                    problems.append(
                        Problem(
                            f"content/{lang.code}/{file}",
                            item,
                            f"differs from '{reference.code}': {value} != {ref_shape[where]}",
                        )
                    )
    return problems
