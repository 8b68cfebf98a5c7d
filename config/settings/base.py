"""Settings read from the environment (twelve-factor).

Development: ``DJANGO_DEBUG=1`` and nothing else. Production: ``DJANGO_DEBUG``
unset, ``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS`` required,
``DATABASE_URL`` pointing at PostgreSQL. README.md lists every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A guessable key in production lets anyone forge sessions and CSRF tokens.
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "simple_history",
    "axes",
    "actors",
    "sources",
    "positions",
    "desk",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A read whose database connection dropped is tried once more: outside
    # everything below that reads the database (sessions, users, ETags).
    "config.middleware.RetryDroppedConnectionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # ETag, Last-Modified and Cache-Control on anonymous reads; 304s.
    "positions.http.ConditionalRecordMiddleware",
    # JSON errors for every /api/ address, DEBUG on or off; no NUL in the admin.
    "config.middleware.RequestGuardMiddleware",
    # Records which editor made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Locks out repeated failed logins (last, as django-axes asks).
    "axes.middleware.AxesMiddleware",
]

# Only editors log in, and only to the admin: an unsafe ?next= lands there too.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after AXES_FAILURE_LIMIT failed logins for one user name
# from one address, that pair is locked out for the cool-off time. Counting
# per pair keeps an attacker from locking editors out from elsewhere.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DJANGO_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client's address: the socket's, or the one the trusted proxies report.
_PROXIES = int(os.environ.get("DJANGO_NUM_PROXIES", "0"))
AXES_IPWARE_PROXY_COUNT = _PROXIES or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if _PROXIES else ["REMOTE_ADDR"]
)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "config.templates.DjangoTemplates",
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context.reading",
            ],
        },
    },
    # Django's own Jinja2 backend, for the fragments a page writes hundreds
    # or thousands of times (matrix rows, timeline lanes, statements): the
    # same markup, autoescaped, rendered several times faster (README,
    # "Performance"). Everything else is a Django template.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "autoescape": True,
            "trim_blocks": True,
            "lstrip_blocks": True,
            "environment": "config.jinja2.environment",
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets analysts read while an editor writes; IMMEDIATE avoids
    # "database is locked" when two writers upgrade their locks at once. The
    # connection is kept as on PostgreSQL (DJANGO_CONN_MAX_AGE): a new one per
    # request paid the pragmas and started with SQLite's page cache empty,
    # half of a short API read's time.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DJANGO_POSTGRES_JIT_OFF", default=True
):
    # No JIT compilation: PostgreSQL compiles any query its planner prices
    # high, and none of ours runs long enough to win the time back. A CSV
    # export of one topic at 1M positions waited 0.30 s for its first rows
    # with it, 0.02 s without. Added to what DATABASE_URL's query string set.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DJANGO_POSTGRES_PREPARED", default=False
):
    # Prepared statements, when asked: a query run five times on a
    # connection is prepared, and PostgreSQL may keep its plan. Planning our
    # joins took 5-11 ms of each heavy page at 1M positions, and one reader
    # at a time gets those pages 10-14 ms sooner; but under load the cheap
    # answers came slower (the server binds every parameter, and a kept
    # generic plan suits some dates worse): measured both ways in README,
    # "Prepared statements". Off behind a pooler in transaction mode that
    # does not track them (PgBouncer before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )

# A streaming read replica of the PostgreSQL primary: anonymous reads go there
# once it has replayed the record's current version (config.routers); writes,
# editors and the version itself stay on the primary.
if REPLICA_URL := os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        REPLICA_URL,
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    # Under the test runner the alias reads the test database.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]

# Cached matrices, API throttle counts and login-failure counts. Per process
# by default; with several server processes, REDIS_URL gives them one cache,
# so a throttle or lockout counts every request once. (Cached pages are
# right either way: their keys carry the record's version and which database
# holds it, positions/cache.py.)
# While Redis is unreachable the site serves uncached and unthrottled, and
# logs a warning (config/cache.py).
if REDIS_URL := os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "ceasefire"),
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# A statement older than this many months is marked stale on the matrix,
# the map and the cell.
STALE_AFTER_MONTHS = int(os.environ.get("STALE_AFTER_MONTHS", "6"))
# The desk fetches a page from an address where the server has a network
# (desk/fetch.py refuses private addresses either way).
DESK_FETCH = os.environ.get("DESK_FETCH", "1") != "0"
# ISO dates in every form (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

from django.utils.csp import CSP  # noqa: E402

# Everything is served from our own origin: no CDN, no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Production is served over HTTPS (behind a TLS-terminating proxy that sets
# X-Forwarded-Proto). DJANGO_HTTPS=0 is only for trying the stack on plain
# HTTP, e.g. `docker compose up` on a laptop.
if not DEBUG and env_bool("DJANGO_HTTPS", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)

REST_FRAMEWORK = {
    # Tokens for tools; the session for the editors' own browser. Reads are
    # open; writes need the same model permissions as the admin.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["config.permissions.ModelPermissionsOrAnonReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["config.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["config.api.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.AnonRateThrottle",
        "config.throttling.TokenRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_ANON_RATE", "120/minute"),
        "user": os.environ.get("API_USER_RATE", "1200/minute"),
        # Reads with the token of an analyst, editor or senior editor.
        "research": os.environ.get("API_RESEARCH_RATE", "12000/minute"),
    },
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    # How many proxies in front set X-Forwarded-For; 0 trusts only the socket's
    # address, so a client cannot dodge the throttle with a forged header.
    "NUM_PROXIES": _PROXIES,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Ceasefire Positions API",
    "DESCRIPTION": (
        "Where the actors of the Ukraine ceasefire stand on troop deployment, each stance "
        "tied to a verbatim quote in a dated source. Reads are open to everyone (published "
        "positions only); writes need a token of an editor: `Authorization: Token <key>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.closed_request_bodies",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StanceEnum": "positions.models.Stance",
        "AttributionEnum": "positions.models.Attribution",
        "StatusEnum": "positions.models.Status",
        "ActorKindEnum": "actors.models.Actor.Kind",
        "RoleKindEnum": "actors.models.Role.Kind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
