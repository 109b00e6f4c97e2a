"""The conversation core: what Cramp Coach says, step by step, on every surface.

Plain Python: no Flask, ask-sdk, Vosk, pyttsx3 or sounddevice. The Alexa skill (skill/) and the
kiosk (kiosk/) translate their input into intents and the replies into their medium.
"""
