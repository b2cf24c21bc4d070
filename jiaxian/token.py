"""The API's token endpoint, ``POST /api/token/``."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken

from jiaxian.logins import LoginLockout, locked_message
from jiaxian.parsers import JSONParser
from jiaxian.throttling import ScopedRateThrottle


class LoginLocked(exceptions.APIException):
    """429 for a username locked from this address; DRF sends ``wait`` as ``Retry-After``."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "too_many_attempts"

    def __init__(self, wait: int):
        self.wait = wait
        super().__init__(locked_message(wait))


@extend_schema_serializer(component_name="AuthToken")
class LockedOutAuthTokenSerializer(AuthTokenSerializer):
    """DRF's username-and-password check, behind the same lockout as the admin's login: a locked
    username is refused before its password is tried, and a wrong password counts."""

    def validate(self, attrs):
        lockout = LoginLockout(self.context["request"], attrs["username"])
        wait = lockout.retry_after()
        if wait is not None:
            raise LoginLocked(wait)
        try:
            attrs = super().validate(attrs)
        except serializers.ValidationError as exc:
            # "authorization": no active user with that username and password.
            codes = exc.get_codes()
            if isinstance(codes, list | dict) and "authorization" in codes:
                lockout.failed()
            raise
        lockout.succeeded()
        return attrs


class ObtainToken(ObtainAuthToken):
    """``POST /api/token/`` with ``{"username", "password"}`` answers ``{"token"}``: the token to
    send as ``Authorization: Token <token>``. It takes passwords, so it has its own, stricter rate
    (``token``, per address) and none of the general ones, and the admin's login lockout."""

    # A password is the credential here: no session, hence no CSRF check, and no token.
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    # JSON only, like the rest of the API.
    parser_classes = [JSONParser]
    serializer_class = LockedOutAuthTokenSerializer

    too_many_requests = (
        "Too many requests from this address (the `token` rate), or too many failed passwords for this "
        "username from this address (failures at the admin's login count too): refused, even with the "
        "right password, until the seconds in Retry-After have passed; `detail` says when."
    )
