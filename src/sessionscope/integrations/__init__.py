"""Adapters that let agent frameworks keep their conversations in the store (and the browser)."""
