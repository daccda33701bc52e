"""Who owns what, who may do what, and the record of what was done."""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from tertulia.governance.permissions import BRAND_ROLES, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("A person needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person. Signs in with their e-mail; belongs to organizations through memberships."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=8, blank=True, choices=[("en", "English"), ("es", "Español")]
    )
    # Bumped to end every session of the person at once (deactivation, role removal).
    session_epoch = models.PositiveIntegerField(default=0)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects = UserManager()

    class Meta:
        ordering: ClassVar = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django drops a session whose stored hash no longer matches: mixing the epoch in
        # ends all of a person's sessions when it changes.
        return salted_hmac(
            "tertulia.governance.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@", 1)[0]


class Organization(models.Model):
    """The owner of the platform, the data and the contact database; or an outside agency."""

    class Kind(models.TextChoices):
        CLIENT = "client", _("Organization")
        AGENCY = "agency", _("Agency")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.CLIENT)
    default_language = models.CharField(
        _("default language"), max_length=8, default="es",
        choices=[("en", "English"), ("es", "Español")],
    )
    require_mfa = models.BooleanField(
        _("require two-factor sign-in"), default=False,
        help_text=_("Everyone in the organization must set up an authenticator app."),
    )
    mention_retention_days = models.PositiveIntegerField(
        _("keep mentions for (days)"), null=True, blank=True,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
        help_text=_("Mentions older than this are deleted automatically. "
                    "Leave it empty to keep them."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="brands")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), max_length=60)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Madrid")
    language = models.CharField(
        _("main language"), max_length=8, default="es",
        choices=[("en", "English"), ("es", "Español")],
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "slug"], name="brand_slug_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class SocialAccount(models.Model):
    """An account the brand owns on a network: its inbox and its publishing target."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="accounts")
    network = models.CharField(_("network"), max_length=20)
    handle = models.CharField(_("handle"), max_length=120)
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    external_id = models.CharField(_("network id"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["network", "handle"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["brand", "network", "handle"], name="account_handle_per_brand"
            )
        ]

    def __str__(self) -> str:
        return f"{self.network}:{self.handle}"


class Competitor(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="competitors")
    name = models.CharField(_("name"), max_length=120)
    handles = models.CharField(_("handles"), max_length=300, blank=True,
                               help_text=_("Comma-separated, e.g. @cafelatido, #latido"))
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    class Kind(models.TextChoices):
        MARKETING = "marketing", _("Marketing")
        PR = "pr", _("PR and communication")
        SALES = "sales", _("Sales")
        SERVICE = "service", _("Customer service")
        HR = "hr", _("Human resources")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("department"), max_length=20, choices=Kind, default=Kind.OTHER)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "name"], name="team_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    is_lead = models.BooleanField(_("team lead"), default=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class Membership(models.Model):
    """A role held by a person in an organization: on all its brands, or on one brand."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=[(r.value, r.value) for r in Role])
    brand = models.ForeignKey(
        Brand, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships",
        help_text=_("Empty means every brand of the organization."),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "organization", "role", "brand"], name="unique_brand_role"
            ),
            models.UniqueConstraint(
                fields=["user", "organization", "role"], condition=models.Q(brand=None),
                name="unique_org_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.role}"


class AgencyGrant(models.Model):
    """A client organization lets an agency act with one role on some of its brands."""

    client = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="grants_given")
    agency = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="grants_received"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=[(r.value, r.value) for r in sorted(BRAND_ROLES)]
    )
    brands = models.ManyToManyField(Brand, related_name="agency_grants")
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.agency} as {self.role} for {self.client}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def new_token() -> tuple[str, str]:
    """A random secret for a link or an API, and the hash we store instead of it."""
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Invitation(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=[(r.value, r.value) for r in Role])
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation for {self.email}"


class AuditChainHead(models.Model):
    """The last link of an organization's audit chain; locked while a new link is added."""

    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, primary_key=True, related_name="audit_head"
    )
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head of {self.organization_id} at #{self.seq}"


class AuditEvent(models.Model):
    """One state change that matters. Append-only and hash-chained per organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="audit_events"
    )
    seq = models.BigIntegerField()
    created_at = models.DateTimeField()
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    actor_label = models.CharField(max_length=200)
    acting_for = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, related_name="+",
        help_text="The agency the actor worked for, when not the organization itself.",
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, null=True, related_name="+")
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    ip = models.GenericIPAddressField(null=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering: ClassVar = ["organization_id", "seq"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["organization", "seq"], name="audit_seq_per_org")
        ]
        indexes: ClassVar = [
            models.Index(fields=["organization", "created_at"], name="audit_org_time"),
            models.Index(fields=["organization", "action"], name="audit_org_action"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only.")
