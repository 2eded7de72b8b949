"""Responses that may carry personal data are never stored by a browser or a proxy."""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every response Django makes.

    Case pages, search results, caseloads, exports, the audit log and the API's JSON all carry
    personal data, and a browser's back button, disk cache or a shared proxy must keep none of it.
    Marking every response is simpler to trust than listing the ones with personal data. What a
    view sends itself is kept and added to (the admin's ``never_cache`` already says ``no-store``);
    a ``public`` gives way to ``private``. Static files never come here: WhiteNoise answers them
    earlier in the chain, with its own caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
