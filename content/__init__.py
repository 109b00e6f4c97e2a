"""Cramp Coach content: everything the product says, as validated data."""

from .loader import ContentError, Problem, load_library, read_library
from .model import INTENTS, LANGUAGES, Language, Library

__all__ = ["ContentError", "Problem", "load_library", "read_library", "INTENTS", "LANGUAGES", "Language", "Library"]
