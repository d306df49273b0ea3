"""Running extraction at scale: batches over a local process pool or a Ray cluster.

Takes a stream of articles; gives their facts stored in order, with per-article time
limits, killed-and-replaced workers, and a failure record for every article that fails.
"""
