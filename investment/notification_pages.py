"""The admin's pages of the signed-in person's notifications (``/admin/notifications/``): the
list, the newest first, the unread marked, each linked to its record, marked read one by one or
all at once (POST, with the CSRF token); and their own settings (``settings/``: e-mail on or
off). A person sees and marks only their own: someone else's is a 404. Wrapped in
``admin.site.admin_view`` by the URLconf (staff only)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from . import notifications
from .models import Notification, NotificationSetting

PER_PAGE = 50


def _list_url(request) -> str:
    """Back to the list, on the page and with the filter it was posted from."""
    query = {key: request.POST.get(key, "") for key in ("page", "unread")}
    kept = {key: value for key, value in query.items() if value.isascii() and value.isdigit()}
    return reverse("my-notifications") + (f"?{urlencode(kept)}" if kept else "")


def notification_list(request):
    """The person's notifications, ``PER_PAGE`` a page (``?unread=1``: the unread only).
    Three queries besides the admin's own: the page's rows, their count, the unread count."""
    own = Notification.objects.filter(user=request.user)
    unread_only = request.GET.get("unread") == "1"
    shown = own.filter(read_at__isnull=True) if unread_only else own
    page = Paginator(shown.order_by("-created_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **admin.site.each_context(request),
        "title": gettext("My notifications"),
        "page": page,
        "unread_only": unread_only,
        "settings_url": reverse("my-notification-settings"),
    }
    return TemplateResponse(request, "admin/notifications.html", context)


@require_POST
def mark_read(request, pk: int):
    """Mark one of the person's notifications read; someone else's is a 404."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    notifications.mark_read(Notification.objects.filter(pk=notification.pk), timezone.now())
    return HttpResponseRedirect(_list_url(request))


@require_POST
def mark_all_read(request):
    """Mark every unread notification of the person read."""
    marked = notifications.mark_read(Notification.objects.filter(user=request.user), timezone.now())
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", marked)
        % {"count": marked},
    )
    return HttpResponseRedirect(_list_url(request))


class NotificationSettingForm(forms.ModelForm):
    class Meta:
        model = NotificationSetting
        fields = ["email_enabled"]


def notification_settings(request):
    """The person's own settings; saved, back to the same page with a message."""
    if not request.user.is_authenticated:  # admin_view lets only staff in; a guard for mypy's sake
        raise Http404
    instance = NotificationSetting.objects.filter(user=request.user).first() or NotificationSetting(user=request.user)
    form = NotificationSettingForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Your notification settings were saved."))
        return HttpResponseRedirect(reverse("my-notification-settings"))
    context = {
        **admin.site.each_context(request),
        "title": gettext("My notification settings"),
        "form": form,
        "email": request.user.email,
        "list_url": reverse("my-notifications"),
    }
    return TemplateResponse(request, "admin/notification_settings.html", context)
