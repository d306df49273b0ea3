"""Reading inputs: files, folders, JSON/JSONL and HTML pages become ``Article`` objects.

Takes paths (or raw page bytes); gives articles with cleaned text and caption spans, or an
``InputFailure`` naming the input and the reason (empty, binary, not English, too large ...).
"""
