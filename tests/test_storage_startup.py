"""Start-up with a profile database that cannot be used: a clear one-line message, and nothing set aside
unless SQLite itself says the file is broken."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time

import pytest

from skill.persistence import SqliteAdapter, StorageUnavailable, make_adapter

SCHEMA = "CREATE TABLE profiles (user TEXT PRIMARY KEY, data TEXT NOT NULL)"


def database_with_one_profile(path) -> None:
    """A healthy database as another tool might leave it: rollback journal, so a lock also blocks readers."""
    with sqlite3.connect(path) as db:
        db.execute(SCHEMA)
        db.execute("INSERT INTO profiles VALUES ('someone', '{\"rate\": 0.8}')")
    db.close()


def one_line(error: pytest.ExceptionInfo) -> str:
    message = str(error.value)
    assert message and "\n" not in message
    return message


def test_a_locked_database_waits_then_fails_clearly_and_is_kept(tmp_path):
    path = tmp_path / "profiles.sqlite3"
    database_with_one_profile(path)
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(StorageUnavailable) as error:
            SqliteAdapter(path, timeout=0.3)
        assert time.monotonic() - started >= 0.3
    finally:
        holder.rollback()
        holder.close()
    message = one_line(error)
    assert str(path) in message and "locked" in message and "DATA_DIR" in message
    assert [p.name for p in tmp_path.iterdir() if "unreadable" in p.name] == []
    assert SqliteAdapter(path).load("someone") == {"rate": 0.8, "disclaimer_heard": False, "bookmark": None}


def test_a_malformed_database_is_set_aside(tmp_path):
    path = tmp_path / "profiles.sqlite3"
    database_with_one_profile(path)
    data = bytearray(path.read_bytes())
    data[100:112] = b"\xff" * 12  # the schema page's header
    path.write_bytes(bytes(data))
    SqliteAdapter(path).save("someone", {"rate": 1.2})
    aside = list(tmp_path.glob("profiles.sqlite3.unreadable-*"))
    assert [p.read_bytes() for p in aside] == [bytes(data)]


def test_a_read_only_data_dir_names_the_folder_and_the_fix(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        try:
            (folder / "probe").touch()
        except PermissionError:
            pass
        else:
            pytest.skip("this user can write to a read-only folder (root)")
        with pytest.raises(StorageUnavailable) as error:
            make_adapter({"DATA_DIR": str(folder)})
    finally:
        folder.chmod(0o755)
    message = one_line(error)
    assert f"make {folder} writable" in message and "DATA_DIR" in message


@pytest.mark.parametrize("below", ["", "more"])
def test_a_data_dir_that_cannot_be_a_folder_names_it_and_the_fix(tmp_path, below):
    """Also for root: a DATA_DIR that is (or lies under) an ordinary file."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    folder = blocker / below if below else blocker
    with pytest.raises(StorageUnavailable) as error:
        make_adapter({"DATA_DIR": str(folder)})
    assert f"make {folder} writable" in one_line(error)


def test_the_timeout_is_the_documented_default_not_an_undocumented_setting(tmp_path):
    assert make_adapter({"DATA_DIR": str(tmp_path), "SQLITE_TIMEOUT": "0.01"}).timeout == 5.0


def _open_and_save(path, barrier) -> str | None:
    barrier.wait()
    try:
        SqliteAdapter(path).save("someone", {"rate": 1.0})
    except Exception as error:  # noqa: BLE001 - the test reports whatever a worker met
        return repr(error)
    return None


def test_workers_starting_together_on_a_new_database_all_start(tmp_path):
    """gunicorn forks its workers at once; each opens the new file and switches it to WAL. A CI run
    lost a worker to "locked" here: SQLite answers the race's loser busy without waiting."""
    context = multiprocessing.get_context("fork")
    workers = 8
    with context.Manager() as manager, context.Pool(workers) as pool:
        for trial in range(20):
            path = tmp_path / f"profiles-{trial}.sqlite3"
            barrier = manager.Barrier(workers)
            errors = [e for e in pool.starmap(_open_and_save, [(path, barrier)] * workers) if e]
            assert errors == [], f"trial {trial}: {errors[0]}"
