"""API token format, generation and lookup. The token itself is never stored, only its SHA-256 digest.

Tokens are 256-bit random values, so a fast hash is enough (there is nothing to brute-force); the
prefix finds the row without comparing digests across the table, and the digest is compared in
constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from casework.access.models import ApiToken

TOKEN_START = "cw_"  # noqa: S105 - a public marker, not a secret


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh ``(token, prefix)`` pair."""
    prefix = secrets.token_hex(6)
    return f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}", prefix


def prefix_of(token: str) -> str | None:
    if not token.startswith(TOKEN_START):
        return None
    prefix, _, secret = token[len(TOKEN_START):].partition("_")
    return prefix if prefix and secret else None


def find_token(presented: str) -> ApiToken | None:
    """The stored token ``presented`` matches (usable or not), or None."""
    prefix = prefix_of(presented)
    if prefix is None:
        return None
    token = ApiToken.objects.select_related("client__user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, digest_of(presented)):
        return None
    return token
