"""Sign-in protection with django-axes: who is locked out, and from which address.

Failures count per account (sign_in_name: every spelling of an account is one) and per client
address. The address is the one the trusted proxies saw (client_address), so that behind nginx
each client counts on its own instead of everybody as the proxy.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username
from axes.models import AccessAttempt


def client_address(request):
    """The client's address as the lockout sees it (django-ipware, configured by PROXY_COUNT):
    with N trusted proxies, the entry the first of them added to X-Forwarded-For; with none,
    REMOTE_ADDR whatever the client sends. The security log uses it too."""
    return get_client_ip_address(request) or "?"


class AccountLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, except that a successful sign-in clears only that account's
    own failures.

    Why: axes' own reset deletes failures matching the account OR the address, so anybody signing
    in from an address (behind a proxy, everybody) wiped the failures recorded there against other
    accounts: an attacker guessing a victim's password could sign in as themselves between
    guesses and never be locked out.
    """

    def reset_user_attempts(self, request, credentials=None):
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
