"""People and their roles: the user account, the roles a person holds, and their titles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from ..enums import Role

if TYPE_CHECKING:
    from collections.abc import Iterable


TITLES = {"dr", "prof", "professor", "mr", "mrs", "ms", "miss", "mx", "sir", "dame"}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address; what they may do comes from their roles."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    # Where reviewers and panellists work: the same employer as a candidate's is a conflict of interest.
    organisation = models.CharField("employing organisation", max_length=200, blank=True)
    is_staff = models.BooleanField(default=False, help_text="May use the support admin site.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        """The first name, for greetings ("Hello, Nadia"), skipping titles such as Dr or Prof."""
        words = [w for w in self.full_name.split() if w.rstrip(".").lower() not in TITLES]
        return words[0] if words else (self.full_name or self.email)

    @cached_property
    def roles(self) -> frozenset[str]:
        """The roles this person holds (cached for the request; grants invalidate it)."""
        if not self.pk:
            return frozenset()
        return frozenset(self.role_grants.values_list("role", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @cached_property
    def funder_ids(self) -> frozenset[int]:
        """The funders this person acts for (through their funder role grants)."""
        return frozenset(
            self.role_grants.filter(role=Role.FUNDER).values_list("funder_id", flat=True)
        )

    def forget_roles(self) -> None:
        for name in ("roles", "funder_ids"):
            self.__dict__.pop(name, None)


class RoleGrant(models.Model):
    """One role held by one person; a funder role names the funder the person acts for."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    funder = models.ForeignKey(
        "Funder", null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(funder__isnull=True), name="one_grant_per_role"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "funder"],
                condition=Q(funder__isnull=False),
                name="one_grant_per_funder",
            ),
            models.CheckConstraint(
                condition=Q(role=Role.FUNDER, funder__isnull=False)
                | (~Q(role=Role.FUNDER) & Q(funder__isnull=True)),
                name="funder_role_names_funder",
            ),
        ]

    def __str__(self) -> str:
        suffix = f" ({self.funder})" if self.funder_id else ""
        return f"{self.user}: {self.get_role_display()}{suffix}"


def roles_of(users: Iterable[User]) -> dict[int, list[str]]:
    """Roles per user id in one query, for lists of people."""
    result: dict[int, list[str]] = {u.pk: [] for u in users}
    for user_id, role in RoleGrant.objects.filter(user_id__in=result).values_list(
        "user_id", "role"
    ):
        result[user_id].append(role)
    return result
