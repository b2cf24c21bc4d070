"""What the ledgers' optimistic locking raises; here, below the apps, so that the REST
plumbing (jiaxian.api) and the models can both name it without jiaxian importing an app."""


class StaleVersion(Exception):
    """The record changed since the version a clerk or a client read."""

    def __init__(self, expected: int, current: int | None):
        self.expected, self.current = expected, current
        super().__init__(f"expected version {expected}, the record is at version {current}")
