"""What someone needs to set up an authenticator app: the secret, an otpauth URI and a QR code of it."""

from __future__ import annotations

import base64
import re
import secrets
from urllib.parse import quote, urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends for HMAC-SHA1


def new_secret() -> str:
    """A new random secret, hex-encoded (as django-otp stores it)."""
    return secrets.token_hex(SECRET_BYTES)


def secret_for_people(key: str) -> str:
    """The secret in base32, in groups of four, as authenticator apps ask for it when typed."""
    encoded = base64.b32encode(bytes.fromhex(key)).decode().rstrip("=")
    return " ".join(encoded[i:i + 4] for i in range(0, len(encoded), 4))


def otpauth_uri(*, key: str, username: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app reads from the QR code."""
    issuer = settings.OTP_TOTP_ISSUER
    params = urlencode({"secret": base64.b32encode(bytes.fromhex(key)).decode().rstrip("="), "algorithm": "SHA1",
                        "digits": 6, "period": 30})
    return f"otpauth://totp/{quote(f'{issuer}:{username}')}?{params}&issuer={quote(issuer)}"


def qr_code_svg(uri: str) -> SafeString:
    """The URI as a QR code in inline SVG (no image request, nothing for the CSP to allow)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"',
                 '<svg width="220" height="220" role="img" focusable="false" '
                 'aria-label="QR code to scan with your authenticator app" class="cw-qr-code"', svg, count=1)
    # Built from our own URI by the qrcode package: numbers and path data only, no user-controlled markup.
    return mark_safe(svg)  # noqa: S308
