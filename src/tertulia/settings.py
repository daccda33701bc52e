"""Django settings. Every value an operator may change is read through `tertulia.config`."""

from __future__ import annotations

import secrets
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import dj_database_url
from django.utils.translation import gettext_lazy as _

from tertulia.config import REPO_ROOT, env, env_int, env_list

ENV = env("TERTULIA_ENV")
if ENV not in {"dev", "test", "prod"}:
    raise SystemExit(f"TERTULIA_ENV must be dev, test or prod, got {ENV!r}")
DEV = ENV == "dev"
TESTING = ENV == "test" or "pytest" in sys.modules

DATA_DIR = Path(env("TERTULIA_DATA_DIR"))
if not DATA_DIR.is_absolute():
    DATA_DIR = (REPO_ROOT / DATA_DIR).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = env("TERTULIA_SECRET_KEY")
    if key:
        return key
    if ENV == "prod":
        raise SystemExit(
            "TERTULIA_SECRET_KEY is not set. Outside dev the server refuses to start without "
            "it: generate one with `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    # A dev or test instance keeps one generated key so sessions survive restarts.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = DEV and not TESTING
ALLOWED_HOSTS = [*env_list("TERTULIA_ALLOWED_HOSTS"), "testserver"]
BASE_URL = env("TERTULIA_BASE_URL").rstrip("/")
CSRF_TRUSTED_ORIGINS = [BASE_URL]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Our templates first, so they can restyle allauth's pages.
    "tertulia.web",
    "tertulia.governance",
    "tertulia.listening",
    "tertulia.networks",
    "tertulia.engagement",
    "tertulia.cases",
    "tertulia.insights",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "tertulia.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tertulia.governance.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tertulia.governance.middleware.RequireMfaMiddleware",
]

ROOT_URLCONF = "tertulia.urls"
ASGI_APPLICATION = "tertulia.asgi.application"
WSGI_APPLICATION = "tertulia.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tertulia.web.context.navigation",
            ],
        },
    }
]


def _database() -> dict[str, object]:
    url = env("TERTULIA_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'tertulia.sqlite3'}"
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue instead of failing when a read turns into a write.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=20000;PRAGMA cache_size=-64000"
            ),
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    config["TEST"] = {"NAME": None}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "governance.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/accounts/login/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
# People join by invitation only; the adapter closes open sign-up.
ACCOUNT_ADAPTER = "tertulia.governance.auth.InvitationOnlyAccountAdapter"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
_attempts = env_int("TERTULIA_LOGIN_ATTEMPTS")
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"{_attempts}/5m/ip,{_attempts}/5m/key",
    "reset_password": "5/m/ip,3/m/key",
    "login": "30/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "tertulia"

SESSION_COOKIE_AGE = int(timedelta(hours=env_int("TERTULIA_SESSION_HOURS")).total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE = ENV == "prod"
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SECURE = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # Alpine runs in its CSP build, so no eval; no inline scripts anywhere.
        "script-src": ["'self'"],
        # ECharts and Tabler set style attributes at run time.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
FORMS_URLFIELD_ASSUME_HTTPS = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = REPO_ROOT / "node_modules"
# Front-end packages come from npm at install time and are served straight from
# node_modules; nothing third-party is committed.
STATICFILES_DIRS = [
    (f"vendor/{name}", NODE_MODULES / path)
    for name, path in {
        "tabler": "@tabler/core/dist",
        "htmx": "htmx.org/dist",
        "alpine": "@alpinejs/csp/dist",
        "echarts": "echarts/dist",
    }.items()
    if (NODE_MODULES / path).exists()
]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"


def _email() -> dict[str, object]:
    url = env("TERTULIA_EMAIL_URL")
    if not url:
        backend = "tertulia.governance.mail.FileAndConsoleBackend"
        return {"EMAIL_BACKEND": backend, "EMAIL_FILE_PATH": str(DATA_DIR / "mail")}
    parts = urlparse(url)
    query = parse_qs(parts.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or 25,
        "EMAIL_HOST_USER": parts.username or "",
        "EMAIL_HOST_PASSWORD": parts.password or "",
        "EMAIL_USE_TLS": query.get("tls", ["0"])[0] == "1",
        "EMAIL_USE_SSL": query.get("ssl", ["0"])[0] == "1",
    }


globals().update(_email())
if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = env("TERTULIA_DEFAULT_FROM_EMAIL")

REDIS_URL = env("TERTULIA_REDIS_URL")
# Rate limits (sign-in, API) count in the cache: shared by every process through Redis when
# there is one, in memory for the single embedded process otherwise.
CACHES = {"default": (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
     "KEY_PREFIX": "tertulia"}
    if REDIS_URL else
    {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tertulia"}
)}
API_REQUESTS_PER_MINUTE = env_int("TERTULIA_API_REQUESTS_PER_MINUTE")
HUEY_WORKERS = env_int("TERTULIA_WORKERS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env("TERTULIA_LOG_LEVEL")},
    # The queue announces every task it runs: useful when debugging, noise on a console.
    "loggers": {"django.db.backends": {"level": "WARNING"},
                "huey": {"level": "DEBUG" if env("TERTULIA_LOG_LEVEL") == "DEBUG" else "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50
