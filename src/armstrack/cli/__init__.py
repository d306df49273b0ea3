"""The ``armstrack`` command line: a thin click shell over the library functions.

``main`` holds extract/score/ingest and registers the query (``query``), server (``serve``)
and news (``news``) command groups.
"""
