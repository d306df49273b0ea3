"""Domain knowledge as data: countries, places, organisations, equipment and trigger words.

Takes the CSV/TOML files under ``data/`` (or ``$ARMSTRACK_DATA_DIR``); gives a validated,
cached ``Knowledge`` object that recognition, extraction and entity resolution look names up in.
"""
