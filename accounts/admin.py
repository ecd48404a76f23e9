from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.invitations import invite
from accounts.models import Email, SignInState, User


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class SignInStateFilter(admin.SimpleListFilter):
    title = _("sign-in")
    parameter_name = "sign_in"

    def lookups(self, request, model_admin):
        return [choice for choice in SignInState.choices if choice[0] != SignInState.NO_EMAIL]

    def queryset(self, request, queryset):
        if self.value() in SignInState.values:
            return queryset.filter(sign_in_state=self.value())
        return queryset


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin, signing in by email: there is no username. Shows who can sign in yet,
    and invites those who cannot (accounts/invitations.py)."""

    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name",)}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "full_name", "is_staff", "is_active", "group_names", "sign_in")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups", SignInStateFilter)
    search_fields = ("email", "full_name")
    ordering = ("email",)
    actions = ["invite_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_sign_in_state().prefetch_related("groups")

    @admin.display(description=_("groups"))
    def group_names(self, user):
        return ", ".join(group.name for group in user.groups.all())

    @admin.display(description=_("sign-in"), ordering="sign_in_state")
    def sign_in(self, user):
        return user.sign_in_state_label

    @admin.action(description=_("Invite the selected people"), permissions=["change"])
    def invite_selected(self, request, queryset):
        """An invitation to each selected person who has no password yet; a resend ends the earlier
        link; nobody is invited twice in a day."""
        result = invite(queryset.values_list("pk", flat=True), request.user)
        if result.sent:
            count = len(result.sent)
            self.message_user(
                request,
                ngettext(
                    "An invitation was emailed to %(count)s person.",
                    "Invitations were emailed to %(count)s people.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        if result.too_soon:
            count = len(result.too_soon)
            self.message_user(
                request,
                ngettext(
                    "%(count)s person invited less than a day ago was not invited again.",
                    "%(count)s people invited less than a day ago were not invited again.",
                    count,
                )
                % {"count": count},
                messages.WARNING,
            )
        if result.not_needed:
            count = len(result.not_needed)
            self.message_user(
                request,
                ngettext(
                    "%(count)s person who can sign in already, or whose account is deactivated, was not invited.",
                    "%(count)s people who can sign in already, or whose account is deactivated, were not invited.",
                    count,
                )
                % {"count": count},
                messages.INFO,
            )


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    """The emails to one person each (password resets, the review's emails): what went out, to whom
    and when, read-only: made and sent by the app only. Never their bodies: a pending password reset's
    link would let whoever reads it into that account."""

    list_display = ("subject", "address", "state", "attempts", "created_at", "sent_at")
    list_filter = ("state",)
    search_fields = ("address", "subject", "key")
    date_hierarchy = "created_at"
    fields = (
        "key",
        "user",
        "address",
        "subject",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
