from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str, password: str | None = None, **extra: Any
    ) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(
        self, email: str, password: str | None, **extra: Any
    ) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in. The e-mail address is the login."""

    # No username: the documented way to drop an inherited field, which the stubs
    # (username is a CharField there) cannot express.
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("adresse e-mail"), unique=True)

    # The stubs want auth's UserManager, whose create_user takes a username.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    # The role names, cached by certif.roles.roles_of for the request.
    _certif_roles: frozenset[str]

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ("last_name", "first_name", "email")

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} <{self.email}>" if full else self.email


class ChangementRole(models.Model):
    """One change of an account's roles (a Django group joined or left, or the
    superuser status given or taken), whatever the path: the admin's user form,
    a group's side of the relation, a service or a shell. Kept when the accounts
    are deleted (the e-mail addresses are copied)."""

    class Action(models.TextChoices):
        AJOUT = "ajout", _("Ajout")
        RETRAIT = "retrait", _("Retrait")

    SUPERUTILISATEUR = "superutilisateur"

    date = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    par = models.ForeignKey(
        "certif.User",
        verbose_name=_("par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    par_email = models.CharField(_("par (e-mail)"), max_length=254, blank=True)
    utilisateur = models.ForeignKey(
        "certif.User",
        verbose_name=_("compte"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="changements_roles",
    )
    utilisateur_email = models.CharField(_("compte (e-mail)"), max_length=254)
    role = models.CharField(_("rôle"), max_length=150)
    action = models.CharField(_("action"), max_length=10, choices=Action)

    class Meta:
        verbose_name = _("changement de rôle")
        verbose_name_plural = _("changements de rôles")
        ordering = ("-date", "-pk")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d %H:%M} {self.action} {self.role} {self.utilisateur_email}"


class Worker(models.Model):
    """A background worker process (``manage.py db_worker``). It beats every
    ``WORKER_HEARTBEAT_SECONDS`` while it lives; one not seen for
    ``WORKER_LEASE_SECONDS`` is dead, and the tasks it was running are queued
    again (``certif.workers``)."""

    worker_id = models.CharField(_("identifiant"), max_length=64, unique=True)
    hote = models.CharField(_("machine"), max_length=255)
    pid = models.PositiveIntegerField(_("processus"))
    demarre_le = models.DateTimeField(_("démarré le"), default=timezone.now)
    vu_le = models.DateTimeField(_("vu le"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return f"{self.hote}:{self.pid}"


class MessageEnvoye(models.Model):
    """An e-mail the platform sent: who received it, from which template, its
    subject and plain-text body (what the recipient reads on their messages
    page), the names of its attachments. ``cle`` makes a send idempotent: a
    second message with the same non-empty key is never recorded nor sent."""

    utilisateur = models.ForeignKey(
        User,
        verbose_name=_("destinataire (compte)"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages_recus",
    )
    destinataire = models.EmailField(_("adresse du destinataire"), max_length=254)
    gabarit = models.CharField(_("gabarit"), max_length=60)
    sujet = models.CharField(_("sujet"), max_length=255)
    corps = models.TextField(_("texte"), max_length=20000)
    pieces_jointes = models.JSONField(_("pièces jointes"), default=list, blank=True)
    cle = models.CharField(_("clé d'unicité"), max_length=200, blank=True)
    cree_le = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        verbose_name = _("message envoyé")
        verbose_name_plural = _("messages envoyés")
        ordering: ClassVar = ["-cree_le", "-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["cle"],
                condition=~models.Q(cle=""),
                name="message_envoye_cle_unique",
            )
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["utilisateur", "-cree_le"], name="message_envoye_user_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.destinataire} — {self.sujet}"
