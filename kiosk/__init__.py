"""The offline kiosk: intent matching, the voice loop, text mode and the web page."""
