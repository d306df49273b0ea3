"""Imported by the multiprocessing fork server (engines.START_METHOD): load the default Extractor
once there, so that every extraction worker forked from it starts warm.

The fork server ignores an ImportError from a preload module but dies on any
other exception, so a failure here is logged and left for the workers, which
then load (and report) the model themselves.
"""
import logging

try:
    from armstrack.run.engines import preload

    preload()
except Exception:  # noqa: BLE001 - see the docstring
    logging.getLogger(__name__).exception("fork server could not preload the extractor")
