"""When a short spoken command has ended, so the recognizer can be asked for its result at once.

Vosk's own endpointing (vosk 0.3.45 has no settings for it in Python) waits about 0.9 s of audio
after the last word. A command like "next" or "I have a cramp" is over sooner: webrtcvad marks each
20 ms frame as speech or not, and once there was enough speech, a short run of non-speech frames
(the hangover) ends the utterance.
"""

from __future__ import annotations

import webrtcvad

FRAME_MS = 20
VAD_RATES = (8000, 16000, 32000, 48000)  # the sample rates webrtcvad takes
HANGOVER_MS = 240  # non-speech that ends an utterance: a pause inside a command is shorter
MIN_SPEECH_MS = 100  # speech needed before an end counts: a click or a cough is not a command
AGGRESSIVENESS = 3  # webrtcvad's 0-3: 3 is the least likely to take room noise for speech


class EndOfSpeech:
    """Feed 16-bit mono PCM in any chunk size; feed() returns True when speech has ended.

    `had_speech` tells whether the utterance so far held enough speech to be one: a recognizer's
    text without it is noise. reset() starts the next utterance."""

    def __init__(
        self,
        sample_rate: int = 16000,
        hangover_ms: int = HANGOVER_MS,
        min_speech_ms: int = MIN_SPEECH_MS,
        aggressiveness: int = AGGRESSIVENESS,
    ):
        self.sample_rate = sample_rate
        self.frame_bytes = 2 * sample_rate * FRAME_MS // 1000
        self.hangover = hangover_ms // FRAME_MS
        self.min_speech = min_speech_ms // FRAME_MS
        self.vad = webrtcvad.Vad(aggressiveness)
        self.reset()

    def reset(self) -> None:
        self._buffer = b""
        self._speech = 0  # speech frames in this utterance
        self._quiet = 0  # non-speech frames since the last speech frame

    @property
    def had_speech(self) -> bool:
        return self._speech >= self.min_speech

    def feed(self, pcm: bytes) -> bool:
        self._buffer += pcm
        ended = False
        while len(self._buffer) >= self.frame_bytes:
            frame, self._buffer = self._buffer[: self.frame_bytes], self._buffer[self.frame_bytes :]
            if self.vad.is_speech(frame, self.sample_rate):
                self._speech += 1
                self._quiet = 0
            elif self._speech:
                self._quiet += 1
                ended = ended or (self._quiet >= self.hangover and self.had_speech)
        return ended
