"""The API's token endpoint, ``POST /api/token/``."""

from rest_framework.authtoken.views import ObtainAuthToken

from jiaxian.parsers import JSONParser
from jiaxian.throttling import ScopedRateThrottle


class ObtainToken(ObtainAuthToken):
    """``POST /api/token/`` with ``{"username", "password"}`` answers ``{"token"}``: the token to
    send as ``Authorization: Token <token>``. It takes passwords, so it has its own, stricter rate
    (``token``, per address) and none of the general ones."""

    # A password is the credential here: no session, hence no CSRF check, and no token.
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    # JSON only, like the rest of the API.
    parser_classes = [JSONParser]
