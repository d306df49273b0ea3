"""Watchlists: saved fact filters that tell an analyst what is new, as an Atom feed or a webhook.

Takes the merged facts (graph/) and an analyst's ``query.FactFilter``; gives, per
watchlist, the facts that are new or changed since it last looked (remembered in
the store), an Atom feed of them, and JSON posts to a webhook.
"""
