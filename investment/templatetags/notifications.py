"""The bell of the admin's header: ``{% unread_notification_count as unread %}`` gives the
signed-in person's number of unread notifications, None when nobody is signed in."""

from __future__ import annotations

from django import template

from investment.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int | None:
    """The count that ``NotifiedModelBackend`` loaded with the user (no query); for a user
    loaded otherwise (a session signed in by another backend), one query."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return None
    count = getattr(user, "unread_notification_count", None)
    if count is None:
        count = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return count
