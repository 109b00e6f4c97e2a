"""Turns what a visitor said or typed into an intent, in en, nb or da.

Three steps: an exact match on the normalized sample phrases; a close whole-phrase match with
rapidfuzz (speech-recognition slips, typos); then a small naive Bayes model over words and word
pairs, trained on the same samples, for phrasings nobody wrote down. Words that occur under many
intents ("the", "please", "takk") carry no vote of their own. Below the confidence threshold, or
when too few words are known, the answer is AMAZON.FallbackIntent.

The settings were chosen on held-out phrases (tests/data/unseen_*.tsv) that are not in the samples.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

FALLBACK = "AMAZON.FallbackIntent"
FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ü": "ue"})
PHRASE_CUTOFF = 88   # whole-phrase similarity (0-100) that counts as the same phrase
WORD_CUTOFF = 80     # word similarity that maps an unknown word onto a known one
COMMON = 5           # a word under this many intents or more is a function word
SMOOTHING = 0.1      # additive smoothing of the word counts
THRESHOLD = 0.35     # lowest posterior probability the model answers with
MIN_KNOWN = 0.5      # share of words the model must know before it guesses


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


class IntentMatcher:
    def __init__(self, utterances: dict[str, tuple[str, ...]], threshold: float = THRESHOLD):
        self.threshold = threshold
        self.exact: dict[str, str] = {}
        intents_of: dict[str, set] = defaultdict(set)
        for intent, phrases in utterances.items():
            for phrase in phrases:
                key = normalize(phrase)
                self.exact.setdefault(key, intent)
                for word in key.split():
                    intents_of[word].add(intent)
        self.phrases = list(self.exact)
        self.vocabulary = sorted(intents_of)
        self.common = {word for word, intents in intents_of.items() if len(intents) >= COMMON}
        counts: dict[str, Counter] = defaultdict(Counter)
        for intent, phrases in utterances.items():
            for phrase in phrases:
                counts[intent].update(self._features(normalize(phrase).split()))
        self.features = {f for counter in counts.values() for f in counter}
        total = sum(len(p) for p in utterances.values())
        self.log_prior = {intent: math.log(len(p) / total) for intent, p in utterances.items()}
        self.log_likelihood, self.log_unseen = {}, {}
        for intent, counter in counts.items():
            denominator = sum(counter.values()) + SMOOTHING * len(self.features)
            self.log_likelihood[intent] = {f: math.log((n + SMOOTHING) / denominator) for f, n in counter.items()}
            self.log_unseen[intent] = math.log(SMOOTHING / denominator)

    def _features(self, words: list[str]) -> list[str]:
        """Content words, and word pairs (which keep "not easing" apart from "easing")."""
        singles = [w for w in words if w not in self.common]
        pairs = [f"{a}_{b}" for a, b in zip(words, words[1:]) if not (a in self.common and b in self.common)]
        return singles + pairs

    def match(self, text: str) -> Match:
        heard = normalize(text)
        if not heard:
            return Match(FALLBACK, 0.0, text, "none")
        if heard in self.exact:
            return Match(self.exact[heard], 1.0, text, "exact")
        close = process.extractOne(heard, self.phrases, scorer=fuzz.ratio, score_cutoff=PHRASE_CUTOFF)
        if close:
            return Match(self.exact[close[0]], round(close[1] / 100, 3), text, "phrase")
        return self._model(heard, text)

    def _known(self, word: str) -> str | None:
        """The word, or the known word it is a slip ("nex") or an inflection ("menyen") of."""
        if word in self.features or word in self.common:
            return word
        if len(word) < 3:
            return None
        close = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=WORD_CUTOFF)
        if close:
            return close[0]
        stems = [v for v in self.vocabulary if len(v) >= 4 and (word.startswith(v) or v.startswith(word))]
        return max(stems, key=len) if stems else None

    def _model(self, heard: str, text: str) -> Match:
        words = heard.split()
        known = [self._known(w) for w in words]
        unknown = sum(k is None for k in known)
        if all(k is None or k in self.common for k in known) or unknown / len(words) > 1 - MIN_KNOWN:
            return Match(FALLBACK, 0.0, text, "none")
        observed = [f for f in self._features([k or "_" for k in known]) if f in self.features]
        scores = {intent: self.log_prior[intent] + sum(table.get(f, self.log_unseen[intent]) for f in observed)
                  for intent, table in self.log_likelihood.items()}
        best = max(scores, key=scores.get)
        confidence = 1 / sum(math.exp(s - scores[best]) for s in scores.values())
        if confidence < self.threshold:
            return Match(FALLBACK, round(confidence, 3), text, "none")
        return Match(best, round(confidence, 3), text, "model")
