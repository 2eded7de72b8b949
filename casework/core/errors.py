"""Errors that services raise and views, the API and commands turn into clear messages."""

from __future__ import annotations


class DomainValidationError(Exception):
    """Input that breaks a domain rule; ``errors`` maps field name ('' for the whole) to a message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))
        self.errors = errors


class ConcurrentEditError(Exception):
    """Someone else changed the record since it was read (optimistic locking)."""

    message = (
        "Someone else changed this record while you were editing it. "
        "Your changes have not been saved: check the current details and make your changes again."
    )


class NotPermittedError(Exception):
    """The actor may not do this to this record."""
