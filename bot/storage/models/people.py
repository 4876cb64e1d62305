"""Models for the people feature (see migration slot in bot/storage/migrations/versions)."""

from __future__ import annotations
