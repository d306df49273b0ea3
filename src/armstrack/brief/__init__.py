"""Briefs: what the record holds about a country, as a document to hand on (HTML, Markdown or PDF).

Takes the merged facts (graph/) for a country, optionally one partner and a start
date; gives a self-contained document with ranked partners, a timeline chart, a
network picture (SVG drawn here), the equipment by origin, the key facts with
status and date, and numbered citations to every source. No scripts, no network.
"""
