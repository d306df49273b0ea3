"""Following the news: pages fetched by URL, RSS/Atom feeds polled, and stories grouped.

Takes URLs and feed subscriptions; gives stored articles with page metadata, and groups
republished copies of one story so they do not count as independent sources.
"""
