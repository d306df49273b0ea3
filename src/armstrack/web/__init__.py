"""The HTTP API (FastAPI) and the static web page under ``static/``.

Thin routes over ``graph`` queries; read-only unless a token is configured, with expiring
signed tokens and a per-client rate limit on ingest.
"""
