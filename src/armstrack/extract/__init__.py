"""Extraction: one ``Article`` in, its typed, sourced ``Fact`` objects out.

``pipeline.Extractor`` wires the steps: the ``domain`` document gate (a page without enough
defence vocabulary is not parsed), spaCy parse, ``recognise`` (names from the knowledge
files and patterns), ``facts`` (trigger rules fill roles from ``slots``/``roles``, with time,
status, figures and attribution), ``consolidate`` (merge, imply, drop vaguer duplicates),
then the ``domain`` fact gate (only facts with a defence context).
"""
