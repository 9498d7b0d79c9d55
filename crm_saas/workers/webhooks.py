"""Webhook jobs: delivering the outbox's events to the endpoints (signed, retried, logged)."""
