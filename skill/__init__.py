"""Cramp Coach Alexa skill package."""
