"""Models for the slack feature (see migration slot in bot/storage/migrations/versions)."""

from __future__ import annotations
