"""What was sent of the reminders, in the admin (提醒发送记录): read only, for whoever has the
permission to view it (superusers), to see what failed and why. The people's own notifications
have their own pages (``investment.notification_pages``), not a changelist: each sees only theirs."""

from __future__ import annotations

from django.contrib import admin

from ..models import ReminderDelivery


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event", "channel", "recipient", "attempts", "sent_at", "last_attempt_at", "last_error")
    list_filter = ("channel", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("event", "recipient")
    readonly_fields = list_display
    ordering = ("-last_attempt_at", "-id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
