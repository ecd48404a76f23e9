"""The API's rate limits (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES), counted in the shared cache.

A module of its own: DRF imports the throttle classes its settings name while it defines its views.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings

from accounts.lockout import client_address


class ClientRateMixin:
    """DRF's throttles, counting anonymous requests per client address as the lockout sees it
    (behind PROXY_COUNT proxies), with the rates as the settings are now (DRF reads them once, at
    import)."""

    def get_ident(self, request):
        return client_address(request)

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class AnonymousRateThrottle(ClientRateMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientRateMixin, throttling.UserRateThrottle):
    pass
