"""Every setting of Cramp Coach, read from the environment once where a program starts, then passed on.

This is the only module that reads the environment; the README's Configuration table documents each
setting. Switches take 1/0, true/false, yes/no or on/off.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from content.loader import CONTENT_DIR

ROOT = Path(__file__).resolve().parent


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the setting and says why."""


class Settings(BaseSettings):
    """An environment variable of a field's name overrides its default; keyword arguments override both."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True)

    HOST: str = "127.0.0.1"
    PORT: int = 8080
    PRERENDER: bool = True
    DATA_DIR: Path = ROOT / "data"
    CONTENT_DIR: Path = CONTENT_DIR
    MAX_CONTENT_LENGTH: int = 64 * 1024
    ALEXA_VERIFY: bool = True
    ALEXA_SKILL_ID: str = ""
    ALEXA_TIMEZONE_LOOKUP: bool = True
    PERSISTENCE: Literal["sqlite", "dynamodb"] = "sqlite"
    DYNAMODB_TABLE: str = "cramp-coach"
    DYNAMODB_ENDPOINT: str = ""
    AWS_REGION: str = "eu-west-1"
    KIOSK_LANG: str = "en"
    KIOSK_IDLE_SECONDS: float = 120
    KIOSK_VISITS_PER_MINUTE: int = 30
    # The kiosk page's colours: "day" (white and yellow on black), "night" (dim greys and amber, for a
    # bedside or a dark room) or "auto" (night in the hours of coach/night.py). A button changes them
    # for one visit.
    KIOSK_THEME: Literal["auto", "day", "night"] = "auto"
    VOSK_MODEL_PATH: str = ""
    VOSK_MODEL_EN: str = ""
    VOSK_MODEL_NB: str = ""
    VOSK_MODEL_DA: str = ""
    VOSK_DOWNLOAD: bool = False

    @field_validator("DATA_DIR", "CONTENT_DIR")
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        """A relative folder is taken from the current one (the speech render process runs elsewhere)."""
        return path.absolute()

    def vosk_model(self, lang: str) -> str:
        """The Vosk model folder set for `lang` alone (VOSK_MODEL_EN, ...), or ''."""
        return getattr(self, f"VOSK_MODEL_{lang.upper()}", "")


class LambdaSettings(Settings):
    """On AWS Lambda profiles go to DynamoDB, and /tmp is the only folder that can be written."""

    PERSISTENCE: Literal["sqlite", "dynamodb"] = "dynamodb"
    DATA_DIR: Path = Path("/tmp/cramp-coach")


def load_settings(overrides: Mapping[str, object] | None = None) -> Settings:
    """The settings: `overrides` over the environment over the defaults (other keys are ignored)."""
    try:
        given: dict[str, Any] = dict(overrides or {})
        return Settings(**given)
    except ValidationError as error:
        raise SettingsError(
            "; ".join(f"{problem['loc'][0]}={problem['input']!r}: {problem['msg']}" for problem in error.errors())
        ) from error
