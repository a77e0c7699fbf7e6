"""Test settings: only what makes the suite fast and isolated."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from certif.settings.base import *  # noqa: F403
from certif.settings.base import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PRIVATE_STORAGE_ROOT = Path(tempfile.mkdtemp(prefix="certif-test-private-"))
STORAGES = {
    **STORAGES,
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_STORAGE_ROOT, "base_url": None},
    },
}
# Issuing refuses a loopback or plain-HTTP SITE_URL when DEBUG is off (as in tests).
SITE_URL = "https://certif.test"
# The demo (loaded by tests) runs its certifier in specimen mode; the refusal in
# production is tested with this setting overridden.
CERTIFICATEUR_SPECIMEN_AUTORISE = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        # Kept: a test checks that a 500 reaches ADMINS (the locmem mail outbox).
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler"},
    },
    "root": {"handlers": [], "level": "CRITICAL"},
    "loggers": {
        "django.request": {
            "handlers": ["mail_admins"],
            "level": "ERROR",
            "propagate": False,
        },
    },
}
