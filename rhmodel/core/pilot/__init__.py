"""Pilot evidence: sessions (merge, classify), pool (concurrency, sizing rule), Erlang models."""
