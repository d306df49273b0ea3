"""One small error hierarchy: the CLI renders it as a message and an exit code."""


class ArmstrackError(Exception):
    """Base of every error armstrack raises on purpose."""


class InputError(ArmstrackError):
    """An input article cannot be read; ``reason`` says why in plain words."""

    def __init__(self, origin: str, reason: str):
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


class KnowledgeError(ArmstrackError):
    """A knowledge data file breaks its schema."""
