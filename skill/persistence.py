"""Where per-user profiles live: SQLite on this machine, or DynamoDB for several instances."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException

from coach.reply import Profile

log = logging.getLogger(__name__)


def user_key(request_envelope) -> str:
    """The stored key is a hash of the Alexa userId, so the database holds no raw id."""
    try:
        user_id = request_envelope.context.system.user.user_id
    except AttributeError:
        user_id = None
    if not user_id:
        raise PersistenceException("the request has no userId")
    return hashlib.sha256(user_id.encode()).hexdigest()


class StorageUnavailable(Exception):
    """The profile database cannot be used; the message is one line naming the file or folder and the fix."""


def _sqlite_code(error: Exception) -> int:
    """SQLite's primary result code; 0 for errors that did not come from SQLite."""
    return getattr(error, "sqlite_errorcode", 0) & 0xFF


class SqliteAdapter(AbstractPersistenceAdapter):
    """ask-sdk persistence on SQLite (WAL). Stores only what Profile holds: rate, bookmark, disclaimer flag."""

    def __init__(self, path: Path | str, timeout: float = 5.0):
        """`timeout`: seconds to wait for a lock held by another connection before giving up."""
        self.path, self.timeout = str(path), timeout
        self._local = threading.local()
        try:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            try:
                self._create()
            except sqlite3.DatabaseError as error:  # only a malformed file is set aside, never a locked one
                if _sqlite_code(error) not in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
                    raise
                self._set_aside(error)
                self._create()
        except (OSError, sqlite3.Error) as error:
            raise self._unavailable(error) from error

    def _unavailable(self, error: Exception) -> StorageUnavailable:
        """One line: what is wrong with which file or folder, and the fix."""
        if _sqlite_code(error) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return StorageUnavailable(
                f"the profile database {self.path} is locked by another program; "
                "stop it or set DATA_DIR to another folder"
            )
        folder = Path(self.path).parent
        return StorageUnavailable(
            f"cannot write the profile database {self.path} ({error}): make {folder} "
            "writable for this user or set DATA_DIR to a folder that is"
        )

    def _create(self) -> None:
        """Workers forked together race to switch a new file to WAL, and SQLite answers the loser "busy"
        at once rather than wait (that could deadlock), so a busy answer is retried until `timeout`."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                with self._connect() as db:
                    db.execute("CREATE TABLE IF NOT EXISTS profiles (user TEXT PRIMARY KEY, data TEXT NOT NULL)")
                return
            except sqlite3.OperationalError as error:
                if _sqlite_code(error) not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    raise
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.02)

    def _set_aside(self, error: Exception) -> None:
        """A database that cannot be read is kept for recovery under another name, not deleted."""
        self._local = threading.local()
        aside = f"{self.path}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}"
        os.replace(self.path, aside)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(self.path + suffix):
                os.replace(self.path + suffix, aside + suffix)
        log.error("the profile database could not be read (%s); it was moved to %s and a new one started", error, aside)

    def _connect(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=self.timeout)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error:
                db.close()
                raise
            self._local.db = db
        return db

    def get_attributes(self, request_envelope) -> dict:
        return self.load(user_key(request_envelope))

    def save_attributes(self, request_envelope, attributes) -> None:
        self.save(user_key(request_envelope), attributes)

    def delete_attributes(self, request_envelope) -> None:
        try:
            with self._connect() as db:
                db.execute("DELETE FROM profiles WHERE user = ?", (user_key(request_envelope),))
        except sqlite3.Error as error:
            raise PersistenceException(f"could not delete the profile: {error}") from error

    def load(self, key: str) -> dict:
        try:
            row = self._connect().execute("SELECT data FROM profiles WHERE user = ?", (key,)).fetchone()
            return Profile.from_dict(json.loads(row[0])).to_dict() if row else {}
        except (sqlite3.Error, ValueError) as error:
            raise PersistenceException(f"could not read the profile: {error}") from error

    def save(self, key: str, attributes) -> None:
        data = json.dumps(Profile.from_dict(attributes).to_dict())
        try:
            with self._connect() as db:
                db.execute(
                    "INSERT INTO profiles (user, data) VALUES (?, ?) "
                    "ON CONFLICT(user) DO UPDATE SET data = excluded.data",
                    (key, data),
                )
        except sqlite3.Error as error:
            raise PersistenceException(f"could not save the profile: {error}") from error


def _dynamodb_adapter(config: Mapping) -> AbstractPersistenceAdapter:
    """ask-sdk's DynamoDB adapter, storing only the profile.

    Importing ask_sdk_dynamodb makes a boto3 resource with boto3's default session, which needs a
    region: the import gets a session in ours, then boto3's default session is put back as it was.
    """
    import boto3

    region = config["AWS_REGION"]
    default, boto3.DEFAULT_SESSION = boto3.DEFAULT_SESSION, boto3.Session(region_name=region)
    try:
        from ask_sdk_dynamodb.adapter import DynamoDbAdapter
    finally:
        boto3.DEFAULT_SESSION = default

    class ProfileDynamoDbAdapter(DynamoDbAdapter):
        """DynamoDB holds numbers as Decimal; the profile is plain JSON types, and only the profile."""

        def get_attributes(self, request_envelope):
            stored = super().get_attributes(request_envelope)
            return Profile.from_dict(json.loads(json.dumps(stored, default=float))).to_dict() if stored else {}

        def save_attributes(self, request_envelope, attributes):
            profile = json.loads(json.dumps(Profile.from_dict(attributes).to_dict()), parse_float=Decimal)
            super().save_attributes(request_envelope, profile)

    resource = boto3.resource("dynamodb", region_name=region, endpoint_url=config["DYNAMODB_ENDPOINT"] or None)
    return ProfileDynamoDbAdapter(
        table_name=config["DYNAMODB_TABLE"], create_table=True, dynamodb_resource=resource, partition_keygen=user_key
    )


def make_adapter(config: Mapping) -> AbstractPersistenceAdapter:
    """SQLite under DATA_DIR by default; PERSISTENCE=dynamodb for several instances sharing state.

    `config`: the settings as a mapping (app.config, or Settings.model_dump()).
    """
    if config.get("PERSISTENCE") == "dynamodb":
        return _dynamodb_adapter(config)
    return SqliteAdapter(Path(config["DATA_DIR"]) / "profiles.sqlite3")
