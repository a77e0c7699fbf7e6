"""All settings. Every value that differs between machines comes from the environment."""

from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from certif.env import env_bool, env_int, env_list, env_str

# Django's generic classes can be subscripted at run time as in the type stubs
# (``admin.ModelAdmin[Livrable]``, ``UploadedFile[bytes]``).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("CERTIF_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (make run sets DEBUG=true)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105 - DEBUG only
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "template_partials",
    "simple_history",
    "axes",
    "csp",
    # Before django_tasks_db: its ``db_worker`` command is certif's (heartbeat).
    "certif",
    "django_tasks",
    "django_tasks_db",
    "referentiel",
    "evaluations",
    "handicap",
]

MIDDLEWARE = [
    # Benchmarks only (SERVER_TIMING): the CPU time of the whole request.
    "certif.middleware.ServerTimingMiddleware",
    # First: its request id and its duration cover every other layer.
    "certif.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "certif.middleware.RefuseNulMiddleware",
    "certif.middleware.PrivateSessionMiddleware",
]

ROOT_URLCONF = "certif.urls"
WSGI_APPLICATION = "certif.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "certif.context_processors.roles",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "certif.sqlite3"),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "certif.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# An account may be both administrateur and référent handicap only when this says
# so (separation of duties: the administrator sees everything but health data).
ROLES_CUMUL_ADMIN_REFERENT = env_bool("ROLES_CUMUL_ADMIN_REFERENT", False)
# Each response carries « Server-Timing: cpu;dur=<ms> » (the benchmarks read it).
SERVER_TIMING = env_bool("SERVER_TIMING", False)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 7  # an invitation link stays valid a week

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client address is the one the rate limits count (certif.client): behind the
# proxy, the X-Forwarded-For entry appended by the trusted proxy, never one the
# client wrote. A successful password reset clears the account's lockout
# (certif.views.PasswordResetConfirmView).
AXES_CLIENT_IP_CALLABLE = "certif.client.client_address"
# The login form posts the e-mail in the field "username" (Django's AuthenticationForm
# calls authenticate(username=...)). Left to its default (USERNAME_FIELD, "email"),
# axes records no username: failures of every account from one address add up and a
# successful login never resets them.
AXES_USERNAME_FORM_FIELD = "username"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français"))]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))

# Uploaded and generated files are private: no MEDIA_URL, served only by views that
# check permissions first.
PRIVATE_STORAGE_ROOT = Path(env_str("PRIVATE_STORAGE_ROOT", str(VAR_DIR / "private")))
# Static files carry a hash of their content in their name (``collectstatic``
# writes them and a manifest), so that the proxy serves them with a cache of a
# year: a new release changes the names. Off under DEBUG (``make run`` serves
# ``static/`` as it is, without collectstatic).
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
# Where private files live: "filesystem" (PRIVATE_STORAGE_ROOT, one machine or a
# shared mount) or "s3" (a private bucket of any S3-compatible object storage,
# for several machines; django-storages). Either way they leave only through a
# view that checked the permissions (certif/responses.py).
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "filesystem")
if STORAGE_BACKEND == "filesystem":
    DEFAULT_STORAGE: dict[str, object] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_STORAGE_ROOT, "base_url": None},
    }
elif STORAGE_BACKEND == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET", ""),
            "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("S3_REGION", "") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID", ""),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY", ""),
            # Private objects, never overwritten (a new name instead), and no
            # public URL: a download goes through the permission check.
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 60,
        },
    }
    if not DEFAULT_STORAGE["OPTIONS"]["bucket_name"]:  # type: ignore[index]
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs S3_BUCKET.")
else:
    raise ImproperlyConfigured(
        f"STORAGE_BACKEND must be 'filesystem' or 's3', got {STORAGE_BACKEND!r}"
    )
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
        # Public files, read by nginx: not the private files' modes.
        "OPTIONS": {
            "file_permissions_mode": 0o644,
            "directory_permissions_mode": 0o755,
        },
    },
}
# Behind nginx, a private file leaves through nginx after the permission check: the
# response names it under this internal location (X-Accel-Redirect, see
# certif/responses.py and deploy/nginx/). Empty: Django streams the file itself.
X_ACCEL_REDIRECT_PREFIX = env_str("X_ACCEL_REDIRECT_PREFIX", "")
if X_ACCEL_REDIRECT_PREFIX and not X_ACCEL_REDIRECT_PREFIX.startswith("/"):
    raise ImproperlyConfigured(
        "X_ACCEL_REDIRECT_PREFIX must be an absolute path such as /_prive/."
    )
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# Statistics exports (personal data) are deleted this many days after they are
# built (manage.py purger_exports, with the daily purge).
EXPORTS_CONSERVATION_JOURS = env_int("EXPORTS_CONSERVATION_JOURS", 7)
# An office document (a ZIP) whose members declare more than this once inflated is
# refused (a zip bomb): real documents stay far below.
UPLOAD_ZIP_MAX_DECOMPRESSE = env_int("UPLOAD_ZIP_MAX_DECOMPRESSE", 200 * 1024 * 1024)
# A candidate's deliverables in one enrolment, every version and withdrawn file
# included (nothing is deleted): total size and number of files.
LIVRABLES_QUOTA_OCTETS = env_int("LIVRABLES_QUOTA_OCTETS", 200 * 1024 * 1024)
LIVRABLES_QUOTA_FICHIERS = env_int("LIVRABLES_QUOTA_FICHIERS", 100)
# Private files are readable by their owner only; when nginx sends them
# (X-Accel-Redirect), by its group too: the storage directory belongs to the
# application's user and to nginx's group (www-data), and every directory is
# setgid so that what it holds keeps that group (deploy/README.md).
FILE_UPLOAD_PERMISSIONS = 0o640 if X_ACCEL_REDIRECT_PREFIX else 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o2750 if X_ACCEL_REDIRECT_PREFIX else 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The console backend of development prints headers and text, never attachments
# (a decision letter is health data): certif/mail.py.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "certif.mail.ConsoleEmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "certif <noreply@certif.localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Who receives every server error (500) by e-mail, with its traceback: a
# comma-separated list of addresses. Empty, nobody is told and the 500 page says so.
ADMINS = [("", address) for address in env_list("ADMINS", [])]
EMAIL_SUBJECT_PREFIX = "[certif] "

# Password reset: the e-mail leaves from a background task (both answers, known
# address or not, take the same time); at most this many requests per address and
# per client address in PASSWORD_RESET_WINDOW seconds.
PASSWORD_RESET_PAR_ADRESSE = env_int("PASSWORD_RESET_PAR_ADRESSE", 3)
PASSWORD_RESET_PAR_CLIENT = env_int("PASSWORD_RESET_PAR_CLIENT", 10)
PASSWORD_RESET_WINDOW = env_int("PASSWORD_RESET_WINDOW", 3600)

# A cache every web process shares (no process keeps state that another needs: any
# number of web processes serve the same site): the verification pages' rate limit counts a client's requests across
# gunicorn workers and machines. The table is created by certif's migrations.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "certif_cache",
    }
}

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Jury: evaluators per candidate for the automatic assignment, and the quorum of a
# deliberation (members present, the president included).
# A worker beats every WORKER_HEARTBEAT_SECONDS; one not seen for
# WORKER_LEASE_SECONDS is dead and its running tasks are queued again.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 5)
WORKER_LEASE_SECONDS = env_int("WORKER_LEASE_SECONDS", 30)
# /sante/ answers 503 when a task has waited longer than this (seconds) and no
# worker is alive: a worker restarting for a moment does not page anyone.
SANTE_ATTENTE_MAX_SECONDS = env_int("SANTE_ATTENTE_MAX_SECONDS", 60)
EVALUATEURS_PAR_CANDIDAT = env_int("EVALUATEURS_PAR_CANDIDAT", 2)
QUORUM_DELIBERATION = env_int("QUORUM_DELIBERATION", 2)

# Handicap: months the supporting documents of a request are kept after its session
# closed (manage.py purger_pieces_handicap deletes them afterwards).
HANDICAP_RETENTION_MOIS = env_int("HANDICAP_RETENTION_MOIS", 24)

# Official documents. The specimen mode of the demo (every PDF marked « SPÉCIMEN »)
# is refused with DEBUG off unless this explicitly allows it (a public demo site).
CERTIFICATEUR_SPECIMEN_AUTORISE = env_bool("CERTIFICATEUR_SPECIMEN_AUTORISE", False)
# The electronic seal (PAdES) of issued PDFs: a PKCS#12 file (certificate and key)
# and its password. Unset: documents are issued unsealed.
SCEAU_PKCS12 = env_str("SCEAU_PKCS12", "")
SCEAU_PKCS12_PASSWORD = env_str("SCEAU_PKCS12_PASSWORD", "")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
# A session ends when the browser closes, or after SESSION_IDLE_MINUTES without a
# request (certif.middleware.PrivateSessionMiddleware extends it while in use).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120)
if SESSION_IDLE_MINUTES < 5:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be at least 5.")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No page is ever shown in a frame (documents are downloaded as attachments).
X_FRAME_OPTIONS = "DENY"
# Behind TLS in production: secure cookies, HSTS, redirects. Off only under DEBUG.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies stand in front of the web processes, each appending to
# X-Forwarded-For (1 for the documented nginx). 0: the header is ignored and the
# client address is REMOTE_ADDR. See certif.client.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("TRUSTED_PROXIES must be 0 or more.")

# Logs on the standard error: JSON lines (one per request, each line with its
# request id, see certif/logs.py) for journald and log collectors; plain text
# under DEBUG.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(
        f"LOG_FORMAT must be 'json' or 'text', got {LOG_FORMAT!r}"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "json": {"()": "certif.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
        # Every 500 (and every error logged under django.request) to ADMINS.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["mail_admins"], "level": "ERROR"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}
