"""Writes: one service per action a person can take. Keyword-only, atomic, raising domain errors."""
