"""Persistence: articles, origins, facts and review decisions in SQLite or PostgreSQL.

``db`` holds the schema (SQLAlchemy Core) and the ``Store``; ``backup`` moves a whole store to
and from versioned JSON lines. Depends only on the data model and name normalisation.
"""
