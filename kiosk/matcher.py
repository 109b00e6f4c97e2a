"""Turns what a visitor said or typed into an intent, in en, nb or da, or into "not for us".

Three steps: an exact match on the normalized phrases we know; a close whole-phrase match with
rapidfuzz (speech-recognition slips, typos); then a linear model (scikit-learn's LinearSVC over
word and character n-grams) for phrasings nobody wrote down. The model has a class of its own for
talk that is not meant for Cramp Coach, learned from content/<lang>/phrasings.toml, so a sentence
that only shares a word with a command ("next patient please") is not taken as one. When that class
wins, or no intent scores above MIN_SCORE, the answer is AMAZON.FallbackIntent.

Learns from the sample phrases (utterances.toml) and the blind phrasings (phrasings.toml); the
settings were chosen on the validation split of tests/data/understanding/, never on its test split.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from content import Language

FALLBACK = "AMAZON.FallbackIntent"
OUT_OF_SCOPE = "OUT_OF_SCOPE"  # the model's label for talk that is not for us
FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue"})
PHRASE_CUTOFF = 88  # whole-phrase similarity (0-100) that counts as the same phrase
MIN_SCORE = -0.3  # lowest decision value of the best intent the model answers with
SVM_C = 0.5  # LinearSVC regularization (chosen on the validation split)


def normalize(text: str) -> str:
    """Lower case, no punctuation, æ/ø/å folded to ae/oe/aa so every spelling meets."""
    text = unicodedata.normalize("NFKC", text).lower().translate(FOLD)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"['’`´]", "", text)
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


@dataclass(frozen=True)
class Match:
    intent: str
    confidence: float
    heard: str
    how: str  # "exact", "phrase", "model" or "none"


class _Features:
    """A fitted TfidfVectorizer applied to one phrase without sklearn's per-call overhead: its own
    analyzer, vocabulary and idf, sublinear tf and L2 norm, as TfidfVectorizer.transform does."""

    def __init__(self, vectorizer: TfidfVectorizer, offset: int):
        self.analyze = vectorizer.build_analyzer()
        self.index = {term: offset + column for term, column in vectorizer.vocabulary_.items()}
        columns = list(self.index.values())
        self.idf = dict(zip(columns, vectorizer.idf_[[c - offset for c in columns]], strict=True))

    def __call__(self, text: str) -> dict[int, float]:
        counts = Counter(self.index[t] for t in self.analyze(text) if t in self.index)
        weights = {column: (1 + math.log(n)) * self.idf[column] for column, n in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {column: w / norm for column, w in weights.items()}


class IntentMatcher:
    def __init__(
        self,
        utterances: dict[str, tuple[str, ...]],
        out_of_scope: tuple[str, ...] = (),
        phrasings: dict[str, tuple[str, ...]] | None = None,
    ):
        labelled: dict[str, str] = {}
        for intent, phrases in [*utterances.items(), *(phrasings or {}).items(), (OUT_OF_SCOPE, out_of_scope)]:
            for phrase in phrases:
                label = OUT_OF_SCOPE if intent == FALLBACK else intent
                labelled.setdefault(normalize(phrase), label)
        labelled.pop("", None)
        self.exact = labelled
        self.phrases = list(labelled)
        texts, labels = self.phrases, list(labelled.values())
        word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)
        char = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True)
        matrix = sparse.hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
        model = LinearSVC(C=SVM_C).fit(matrix, labels)
        self.classes = [str(c) for c in model.classes_]
        self.weights = model.coef_.T.copy()  # one row per feature, one column per class
        self.bias = model.intercept_
        self.features = (_Features(word, 0), _Features(char, len(word.vocabulary_)))

    @classmethod
    def for_language(cls, lang: Language) -> IntentMatcher:
        """The matcher for a language's content, trained once per process for the same phrases."""
        key = (lang.code, _digest(lang))
        with _trained_lock:
            if key not in _trained:
                _trained[key] = cls(lang.utterances, lang.phrasings.out_of_scope, lang.phrasings.intents)
            return _trained[key]

    def match(self, text: str) -> Match:
        heard = normalize(text)
        if not heard:
            return Match(FALLBACK, 0.0, text, "none")
        if heard in self.exact:
            return self._answer(self.exact[heard], 1.0, text, "exact")
        close = process.extractOne(heard, self.phrases, scorer=fuzz.ratio, score_cutoff=PHRASE_CUTOFF)
        if close:
            return self._answer(self.exact[close[0]], round(close[1] / 100, 3), text, "phrase")
        return self._model(heard, text)

    def scores(self, heard: str) -> np.ndarray:
        """The model's decision value per class for a normalized phrase."""
        features: dict[int, float] = {}
        for extract in self.features:
            features.update(extract(heard))
        if not features:
            return self.bias.copy()
        columns = np.fromiter(features.keys(), dtype=np.intp)
        values = np.fromiter(features.values(), dtype=np.float64)
        return values @ self.weights[columns] + self.bias

    def _model(self, heard: str, text: str) -> Match:
        scores = self.scores(heard)
        best = int(scores.argmax())
        shifted = np.exp(scores - scores[best])
        confidence = round(float(1 / shifted.sum()), 3)
        if scores[best] < MIN_SCORE:
            return Match(FALLBACK, confidence, text, "none")
        return self._answer(self.classes[best], confidence, text, "model")

    @staticmethod
    def _answer(label: str, confidence: float, text: str, how: str) -> Match:
        if label == OUT_OF_SCOPE:
            return Match(FALLBACK, confidence, text, "none")
        return Match(label, confidence, text, how)


def _digest(lang: Language) -> str:
    blob = repr((sorted(lang.utterances.items()), lang.phrasings.out_of_scope, sorted(lang.phrasings.intents.items())))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


_trained: dict[tuple[str, str], IntentMatcher] = {}
_trained_lock = threading.Lock()
