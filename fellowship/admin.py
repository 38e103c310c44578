"""The support admin site (for support staff; faculty work in the service's own pages)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AuditEvent,
    Cohort,
    Fellow,
    Funder,
    HistoryImport,
    Organisation,
    OutboxMessage,
    Region,
    RoleGrant,
    User,
    Workshop,
)


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["funder"]
    readonly_fields = ["granted_at", "granted_by"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "full_name"]
    inlines = [RoleGrantInline]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]


@admin.register(Funder)
class FunderAdmin(SimpleHistoryAdmin):
    search_fields = ["name"]


for model in (Cohort, Region, Organisation, Fellow, Workshop):
    admin.site.register(model, SimpleHistoryAdmin)

admin.site.register(HistoryImport)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, even for support staff."""

    list_display = ["at", "actor_email", "action", "subject", "reference", "summary"]
    list_filter = ["action", "subject"]
    search_fields = ["actor_email", "reference"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The e-mail outbox, for support staff: what waits, what failed and why; a failed message
    can be sent again. Messages are never written or edited here."""

    list_display = ["created_at", "kind", "state", "attempts", "sent_at", "last_error"]
    list_filter = ["state", "kind"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Send again (failed messages)")
    def send_again(self, request, queryset):
        from django.utils import timezone

        again = queryset.filter(state=OutboxMessage.State.FAILED).update(
            state=OutboxMessage.State.WAITING, attempts=0, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{again} message(s) will be sent by the next sweep.")
