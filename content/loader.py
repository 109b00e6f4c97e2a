"""Reads content/ into a validated Library, or says exactly what is wrong."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .model import LANGUAGES, Article, Language, Library, Phrasings, Prompts, Routines, Source, Topics

CONTENT_DIR = Path(__file__).resolve().parent
FILES = ("routines", "topics", "article", "prompts", "utterances", "phrasings")


@dataclass(frozen=True)
class Problem:
    file: str
    item: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.problem}"


class ContentError(Exception):
    """Raised when content cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"content has {len(problems)} problem(s):\n{lines}")


def _item_path(loc: tuple, data) -> str:
    """Turn a pydantic error location into a readable item path, naming items by id."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            item_id = (
                node[key].get("id")
                if isinstance(node, list) and key < len(node) and isinstance(node[key], dict)
                else None
            )
            parts[-1] += f"[{item_id}]" if item_id else f"[{key}]"
        else:
            parts.append(str(key))
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts) or "(file)"


def _read_toml(path: Path, rel: str, problems: list[Problem]) -> dict | None:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        problems.append(Problem(rel, "(file)", "file is missing"))
    except tomllib.TOMLDecodeError as error:
        problems.append(Problem(rel, "(file)", f"not valid TOML: {error}"))
    except UnicodeDecodeError as error:
        problems.append(Problem(rel, "(file)", f"not UTF-8: {error}"))
    return None


def _validate(model: type[BaseModel], data: dict, rel: str, problems: list[Problem]):
    try:
        return model.model_validate(data)
    except ValidationError as error:
        for detail in error.errors():
            problems.append(Problem(rel, _item_path(detail["loc"], data), detail["msg"]))
        return None


def _utterances(data: dict, rel: str, problems: list[Problem]) -> dict[str, tuple[str, ...]] | None:
    result = {}
    for intent, phrases in data.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            problems.append(Problem(rel, intent, "must be a list of strings"))
            continue
        result[intent] = tuple(p.strip() for p in phrases)
    return result


def _load_language(root: Path, code: str, problems: list[Problem]) -> Language | None:
    loaded = {name: _read_toml(root / code / f"{name}.toml", f"content/{code}/{name}.toml", problems) for name in FILES}
    raw = {name: data for name, data in loaded.items() if data is not None}
    if len(raw) < len(FILES):  # every file was read first, so each one's problem is reported
        return None
    before = len(problems)
    routines = _validate(Routines, raw["routines"], f"content/{code}/routines.toml", problems)
    topics = _validate(Topics, raw["topics"], f"content/{code}/topics.toml", problems)
    article = _validate(Article, raw["article"], f"content/{code}/article.toml", problems)
    prompts = _validate(Prompts, raw["prompts"], f"content/{code}/prompts.toml", problems)
    utterances = _utterances(raw["utterances"], f"content/{code}/utterances.toml", problems)
    phrasings = _validate(Phrasings, raw["phrasings"], f"content/{code}/phrasings.toml", problems)
    if len(problems) > before or utterances is None:
        return None
    return Language(
        code=code,
        routines=routines,
        topics=topics,
        article=article,
        say=prompts.say,
        press=prompts.press,
        ui=prompts.ui,
        utterances=utterances,
        phrasings=phrasings,
    )


def read_library(root: Path = CONTENT_DIR, languages=LANGUAGES) -> tuple[Library | None, list[Problem]]:
    """Load and validate every file; return the library (None if unusable) and all problems."""
    from .checks import check_library

    problems: list[Problem] = []
    raw_sources = _read_toml(root / "sources.toml", "content/sources.toml", problems) or {}
    sources = {}
    for source_id, entry in raw_sources.items():
        found: list[Problem] = []
        source = _validate(Source, entry if isinstance(entry, dict) else {}, "content/sources.toml", found)
        problems += [Problem(p.file, f"{source_id}.{p.item}", p.problem) for p in found]  # names the source
        if source:
            sources[source_id] = source
    loaded = {code: _load_language(root, code, problems) for code in languages}
    # Cross-checks run on whatever loaded, so one broken language does not hide the others' problems.
    library = Library(languages={c: lang for c, lang in loaded.items() if lang}, sources=sources)
    problems.extend(check_library(library))
    return (None if problems else library), problems


def load_library(root: Path = CONTENT_DIR, languages=LANGUAGES) -> Library:
    """Load content for the app; raise ContentError naming file, item and problem."""
    library, problems = read_library(root, languages)
    if library is None:
        raise ContentError(problems)
    return library
