"""Settings of the demo host: a small LMS that loads credits_plugin exactly as Open edX does.

The database is chosen with CREDITS_DB: ``sqlite`` (default), ``postgresql`` or ``mariadb``.
"""

import os
from pathlib import Path

from edx_django_utils.plugins import add_plugins, get_plugin_apps

BASE_DIR = Path(__file__).resolve().parent.parent


def _demo_secret(name: str) -> str:
    """A secret of this demo install: generated on first run into sandbox/.secrets/ (kept out of
    git), never a value published with the code."""
    import secrets

    path = BASE_DIR / ".secrets" / name
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, exist_ok=True)
    draft = path.with_name(f".{name}.{os.getpid()}")
    draft.write_text(secrets.token_urlsafe(50))
    draft.chmod(0o600)
    try:
        os.link(draft, path)  # atomic: the first process to start wins, the others read its secret
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or _demo_secret("secret_key")

# Like the LMS (lms/envs/common.py and the production settings): the plugin's JwtAuthentication
# accepts only tokens of this issuer, for this audience, signed with this issuer's secret.
# JWT_AUTH_HEADER_PREFIX "JWT" as in the LMS: "Authorization: JWT <token>".
JWT_ISSUER = "http://127.0.0.1:8000/oauth2"
JWT_AUDIENCE = "demo-lms"
JWT_SECRET = os.environ.get("DEMO_JWT_SECRET") or _demo_secret("jwt_secret")
JWT_AUTH = {
    "JWT_DECODE_HANDLER": "edx_rest_framework_extensions.auth.jwt.decoder.jwt_decode_handler",
    "JWT_PAYLOAD_GET_USERNAME_HANDLER": lambda payload: payload.get("preferred_username"),
    "JWT_VERIFY_EXPIRATION": True,
    "JWT_VERIFY_AUDIENCE": True,
    "JWT_LEEWAY": 1,
    "JWT_ALGORITHM": "HS256",
    "JWT_AUTH_HEADER_PREFIX": "JWT",
    "JWT_ISSUER": JWT_ISSUER,
    "JWT_AUDIENCE": JWT_AUDIENCE,
    "JWT_SECRET_KEY": JWT_SECRET,
    "JWT_ISSUERS": [{"ISSUER": JWT_ISSUER, "AUDIENCE": JWT_AUDIENCE, "SECRET_KEY": JWT_SECRET}],
    "JWT_PUBLIC_SIGNING_JWK_SET": None,
}
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "host.urls"
WSGI_APPLICATION = None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "waffle",
    "rest_framework",
    "drf_spectacular",
    "simple_history",
    "openedx_events",
    # Stand-ins for the LMS apps the plugin touches, at the platform's dotted paths and labels.
    "openedx.core.djangoapps.content.course_overviews.apps.CourseOverviewsConfig",
    "common.djangoapps.course_modes.apps.CourseModesConfig",
    "common.djangoapps.student.apps.StudentConfig",
    "lms.djangoapps.certificates.apps.CertificatesConfig",
    "host.apps.HostConfig",
]
# Like lms/envs/common.py: every installed plugin app joins INSTALLED_APPS.
INSTALLED_APPS.extend(get_plugin_apps("lms.djangoapp"))

MIDDLEWARE = [
    # As in the LMS: clears edx-django-utils' request cache (where edx-toggles keeps the waffle
    # switches it read) at each request's start and end, so that a server thread that answers
    # many requests never serves a switch's stale value.
    "edx_django_utils.cache.middleware.RequestCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crum.CurrentRequestUserMiddleware",
    "waffle.middleware.WaffleMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "host" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "host.context_processors.demo_host",
            ]
        },
    }
]


def _database() -> dict:
    engine = os.environ.get("CREDITS_DB", "sqlite")
    name = os.environ.get("CREDITS_DB_NAME", "credits_plugin")
    if engine == "postgresql":
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": os.environ.get("CREDITS_DB_USER", "postgres"),
            "PASSWORD": os.environ.get("CREDITS_DB_PASSWORD", ""),
            "HOST": os.environ.get("CREDITS_DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("CREDITS_DB_PORT", "5432"),
        }
    if engine == "mariadb":
        # As Tutor configures the LMS: strict mode; Django's default READ COMMITTED isolation.
        return {
            "ENGINE": "django.db.backends.mysql",
            "NAME": name,
            "USER": os.environ.get("CREDITS_DB_USER", "root"),
            "PASSWORD": os.environ.get("CREDITS_DB_PASSWORD", ""),
            "HOST": os.environ.get("CREDITS_DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("CREDITS_DB_PORT", "3306"),
            "OPTIONS": {
                "charset": "utf8mb4",
                "sql_mode": "STRICT_TRANS_TABLES",
                # Django's default for MySQL, set explicitly as the LMS's connection runs: every
                # connection starts with SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED.
                "isolation_level": "read committed",
            },
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    if engine != "sqlite":
        raise ValueError(f"CREDITS_DB must be sqlite, postgresql or mariadb, not {engine!r}")
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("CREDITS_SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        # IMMEDIATE: a transaction takes the write lock when it begins, so a second writer waits
        # (up to the timeout) instead of failing at once with "database is locked" when it
        # upgrades a read lock; a double click on the demo's checkout waits its turn.
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
USE_I18N = True
# The languages credits_plugin ships (credits_plugin/locale/). As in the LMS, the learner's
# choice lives in the "openedx-language-preference" cookie (lms/envs/common.py
# LANGUAGE_COOKIE_NAME), which Django's set_language view (/i18n/setlang/) writes and
# LocaleMiddleware reads.
LANGUAGES = [("en", "English"), ("fr", "French")]
LANGUAGE_COOKIE_NAME = "openedx-language-preference"
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "credits@demo.local"
PLATFORM_NAME = "Demo LMS"
# Marks this project as the demo host: seed_demo only creates courses where this is true.
CREDITS_DEMO_HOST = True
LOGOUT_REDIRECT_URL = "/"

# Celery runs tasks eagerly in the demo and the tests.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

# The LMS's own REST_FRAMEWORK (openedx/envs/common.py, read 2026-12), with stand-ins for its
# platform classes at the platform's dotted paths. No DEFAULT_SCHEMA_CLASS, no browsable API:
# the plugin's views set what they need themselves (OPENEDX_HOOKS.md, section 9.14).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "openedx.core.djangolib.default_auth_classes.DefaultJwtAuthentication",
        "openedx.core.djangolib.default_auth_classes.DefaultSessionAuthentication",
    ],
    "DEFAULT_PAGINATION_CLASS": "edx_rest_framework_extensions.paginators.DefaultPagination",
    "DEFAULT_RENDERER_CLASSES": ("rest_framework.renderers.JSONRenderer",),
    "EXCEPTION_HANDLER": "openedx.core.lib.request_utils.ignored_error_exception_handler",
    "PAGE_SIZE": 10,
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_THROTTLE_RATES": {
        "user": "60/minute",
        "service_user": "800/minute",
        "registration_validation": "30/minute",
        "high_service_user": "2000/minute",
    },
}

OPEN_EDX_FILTERS_CONFIG: dict = {}
FEATURES: dict = {}

# Like the platform does, last: every plugin's plugin_settings(settings) runs on this module.
add_plugins(__name__, "lms.djangoapp", "common")

# The demo of the MFE widgets (/mfe-demo/): the bundle `make frontend` builds from frontend/demo/.
MFE_DEMO_BUNDLE_DIR = Path(
    os.environ.get("CREDITS_MFE_DEMO_BUNDLE", BASE_DIR.parent / "frontend" / "dist-demo")
)
