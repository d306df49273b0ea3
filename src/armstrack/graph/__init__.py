"""The knowledge graph over the store: entity resolution, merged facts, queries and exports.

Takes stored facts; gives resolved entities, facts merged across articles with corroboration
and conflicts, timelines, networks, profiles, and SIPRI/JSON/GraphML exports. The CLI, the API
and the page all call these query functions.
"""
