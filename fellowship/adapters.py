"""django-allauth hooks: every new account starts as an applicant."""

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from .enums import Role
from .models import RoleGrant


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data.get("full_name", "").strip()
        if commit:
            with transaction.atomic():
                user.save()
                # Anyone may apply; other roles are given by faculty.
                RoleGrant.objects.create(user=user, role=Role.APPLICANT)
        return user
