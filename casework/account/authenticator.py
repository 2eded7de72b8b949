"""What someone needs to set up an authenticator app: the secret, an otpauth URI and a QR code of it."""

from __future__ import annotations

import base64
import functools
import secrets
from urllib.parse import quote, urlencode

import qrcode
import qrcode.constants
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


# The setup page is shown again for the same secret (a reload, a mistyped code), and choosing the
# QR code's mask means encoding it eight times (40 ms): keep the last few, keyed by the URI. They hold
# nothing the session does not already hold, and a process keeps at most this many.
QR_CACHE_SIZE = 32
QR_BORDER = 4  # modules of quiet zone around the code, as the QR specification asks


@functools.lru_cache(maxsize=QR_CACHE_SIZE)
def qr_code_svg(uri: str) -> SafeString:
    """The URI as a QR code in inline SVG (no image request, nothing for the CSP to allow).

    One path, one rectangle per run of dark modules in a row (the ``qrcode`` package's SVG image
    draws each module separately, which takes longer than encoding the code).
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_BORDER)
    code.add_data(uri)
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the border
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start},{y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    svg = (
        f'<svg width="220" height="220" role="img" focusable="false" '
        f'aria-label="QR code to scan with your authenticator app" class="cw-qr-code" version="1.1" '
        f'viewBox="0 0 {size} {size}" xmlns="http://www.w3.org/2000/svg" shape-rendering="crispEdges">'
        f'<path d="{"".join(runs)}" fill="#000000" stroke="none"/></svg>'
    )
    # Built from our own URI by the qrcode package: numbers and path data only, no user-controlled markup.
    return mark_safe(svg)  # noqa: S308
