"""`python -m content check` and the loader: the real content passes, every kind of break is named."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from content import ContentError, load_library, read_library
from content.__main__ import main as check_main
from content.loader import CONTENT_DIR


def test_real_content_passes_check(capsys):
    assert check_main(["check"]) == 0
    out = capsys.readouterr().out
    for code in ("en:", "nb:", "da:"):
        assert code in out


def test_check_command_runs_as_module():
    result = subprocess.run(
        [sys.executable, "-m", "content", "check"], capture_output=True, text=True, cwd=CONTENT_DIR.parent
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def broken(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def edit(root: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {rel}: {old!r}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def problems_of(root: Path) -> list[str]:
    library, problems = read_library(root)
    assert library is None
    return [str(p) for p in problems]


def assert_problem(root: Path, file: str, item: str, words: str) -> None:
    found = problems_of(root)
    assert any(p.startswith(f"{file}: ") and item in p and words in p for p in found), found


def test_missing_file(broken):
    (broken / "da" / "article.toml").unlink()
    assert_problem(broken, "content/da/article.toml", "(file)", "file is missing")


def test_invalid_toml(broken):
    (broken / "nb" / "topics.toml").write_text("[causes\n", encoding="utf-8")
    assert_problem(broken, "content/nb/topics.toml", "(file)", "not valid TOML")


def test_missing_field_names_the_item(broken):
    edit(broken, "en/routines.toml", "hold = 30\n", "")
    assert_problem(broken, "content/en/routines.toml", "cramp_now.steps[hold]", "needs `hold` seconds")


def test_unknown_key(broken):
    edit(broken, "da/topics.toml", 'id = "age"', 'id = "age"\nsumary = "x"')
    assert_problem(broken, "content/da/topics.toml", "causes.items[age].sumary", "Extra inputs")


def test_empty_text(broken):
    edit(broken, "en/topics.toml", 'id = "coffee"\ntitle = "', 'id = "coffee"\ntitle = "" \nxtitle = "')
    found = problems_of(broken)
    assert any("causes.items[coffee].title" in p and "at least 1 character" in p for p in found), found


def test_parity_of_step_ids(broken):
    edit(broken, "nb/routines.toml", 'id = "release"', 'id = "let_go"')
    assert_problem(broken, "content/nb/routines.toml", "cramp_now.steps", "differs from 'en'")


def test_parity_of_hold_seconds(broken):
    edit(broken, "da/routines.toml", "hold = 30", "hold = 40")
    assert_problem(broken, "content/da/routines.toml", "cramp_now.steps", "differs from 'en'")


def test_unknown_source(broken):
    edit(broken, "en/topics.toml", 'sources = ["8"', 'sources = ["99"')
    assert_problem(broken, "content/en/topics.toml", "causes.items[age]", "source '99' is not in sources.toml")


def test_long_routine_sentence(broken):
    long = " ".join(["slowly"] * 15) + "."
    edit(broken, "en/routines.toml", 'say = "Now let go slowly.', f'say = "{long}')
    assert_problem(broken, "content/en/routines.toml", "cramp_now.steps[release].say", "15 words")


def test_missing_prompt(broken):
    path = broken / "da" / "prompts.toml"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("goodbye =")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_problem(broken, "content/da/prompts.toml", "say.goodbye", "required key is missing")


def test_wrong_placeholder(broken):
    edit(broken, "en/prompts.toml", "{seconds}", "{secs}")
    assert_problem(broken, "content/en/prompts.toml", "say.hold_remaining", "placeholders must be {seconds}")


def test_too_few_utterances(broken):
    path = broken / "nb" / "utterances.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('"AMAZON.StopIntent" = [')
    end = text.index("]", start)
    path.write_text(text[:start] + '"AMAZON.StopIntent" = ["stopp"' + text[end:], encoding="utf-8")
    assert_problem(broken, "content/nb/utterances.toml", "AMAZON.StopIntent", "needs at least 12")


def test_phrase_under_two_intents(broken):
    edit(broken, "en/utterances.toml", '"AMAZON.StopIntent" = [', '"AMAZON.StopIntent" = [\n  "again",')
    assert_problem(broken, "content/en/utterances.toml", "AMAZON.StopIntent", "'again' also stands under")


def test_broken_content_stops_start_up(broken):
    (broken / "en" / "prompts.toml").write_text("say = 1\n", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_library(broken)
    assert "content/en/prompts.toml" in str(error.value)


def test_check_command_exits_non_zero_on_problems(broken, capsys):
    edit(broken, "en/prompts.toml", "{seconds}", "{secs}")
    assert check_main(["check", "--dir", str(broken)]) == 1
    assert "say.hold_remaining" in capsys.readouterr().out


def test_parity_of_sources_behind_an_item(broken):
    """Every language says the same things on the same authority."""
    edit(broken, "da/topics.toml", 'sources = ["8", "da_article"]', 'sources = ["da_article"]')
    assert_problem(broken, "content/da/topics.toml", "causes.sources", "differs from 'en'")


def test_a_source_nothing_cites(broken):
    (broken / "sources.toml").write_text(
        (broken / "sources.toml").read_text(encoding="utf-8")
        + '\n[unused]\ntitle = "T"\npublisher = "P"\nurl = "https://example.org/"\nstates = ["x"]\n',
        encoding="utf-8",
    )
    assert_problem(broken, "content/sources.toml", "unused", "no content cites this source")


def test_a_source_must_say_what_it_states(broken):
    edit(broken, "sources.toml", 'states = ["tired, overloaded muscles cramp more easily"]', "states = []")
    assert_problem(broken, "content/sources.toml", "6", "at least 1 item")


def test_a_section_name_that_finds_another_section(broken):
    edit(broken, "en/article.toml", '"sixth", "prevention"', '"sixth", "what to do", "prevention"')
    assert_problem(broken, "content/en/article.toml", "sections[prevention].names", "finds another section")


def test_a_press_line_is_required_for_each_say_line_about_saying(broken):
    edit(broken, "nb/prompts.toml", 'routine_next = "Trykk', 'xroutine_next = "Trykk')
    assert_problem(broken, "content/nb/prompts.toml", "press.routine_next", "required key is missing")
