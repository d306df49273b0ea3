"""Domain knowledge as data: countries, places, organisations, equipment, trigger words, defence vocabulary.

Takes the CSV/TOML files under ``data/`` (or ``$ARMSTRACK_DATA_DIR``); gives a validated,
cached ``Knowledge`` object that recognition, extraction and entity resolution look names up in,
and (``terms.py``) the ``DefenceTerms`` the domain gates of extraction match text against.
"""
