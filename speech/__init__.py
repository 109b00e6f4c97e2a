"""Cramp Coach speech: text to speech (pyttsx3 + espeak-ng) and recognition (Vosk)."""
