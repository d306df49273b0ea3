"""Extraction: one ``Article`` in, its typed, sourced ``Fact`` objects out.

``pipeline.Extractor`` wires the steps: spaCy parse, ``recognise`` (names from the knowledge
files and patterns), ``facts`` (trigger rules fill roles from ``slots``/``roles``, with time,
status, figures and attribution), then ``consolidate`` (merge, imply, drop vaguer duplicates).
"""
