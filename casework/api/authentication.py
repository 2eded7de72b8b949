"""API tokens: ``Authorization: Bearer cw_<prefix>_<secret>``, checked against a stored SHA-256 digest."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from casework.access.tokens import find_token

TOKEN_INVALID = "The API token is not valid, has expired or has been revoked"  # noqa: S105 - a message


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Authenticates another system by its bearer token; the request acts as the client's account."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no token: the next class (the signed-in session) may apply
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID)
        try:
            presented = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID) from None
        token = find_token(presented)
        if token is None or not token.is_usable_at(timezone.now()) or not token.client.user.is_active:
            raise exceptions.AuthenticationFailed(TOKEN_INVALID)
        return token.client.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="casework"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the bearer token in the OpenAPI schema."""

    target_class = "casework.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token issued by an administrator (`casework manage apitoken issue`).",
        }
