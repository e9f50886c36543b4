"""Kangyang settings: one file, configured only by environment variables (README)."""

import hashlib
import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kangyang.lib import maps
from kangyang.lib.crypto import new_field_key
from kangyang.lib.env import data_dir_key, envbool, envfloat, envint, envsecret

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.getenv("KANGYANG_DATA_DIR", "./var")).resolve()

SECRET_KEY = envsecret("KANGYANG_SECRET_KEY") or data_dir_key(DATA_DIR, "secret.key")
# Comma-separated: the first key encrypts, every key decrypts (rotation, see README).
FIELD_KEYS = (
    envsecret("KANGYANG_FIELD_KEY") or data_dir_key(DATA_DIR, "field.key", generate=new_field_key)
).split(",")

DEBUG = envbool("KANGYANG_DEBUG", "false")
ALLOWED_HOSTS = [h for h in os.getenv("KANGYANG_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.getenv("KANGYANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    # Django's admin, with a site that signs in through the accounts pages (second factor,
    # throttling, audit) and admits only second-factor-verified sessions.
    "kangyang.accounts.admin_site.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # Only for its static Swagger UI files and template: the API docs page loads them from
    # this site, not from a CDN (they work offline and under our Content-Security-Policy).
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes
    "django_tasks",
    "django_tasks_db",
    "kangyang.accounts",
    "kangyang.audit",
    "kangyang.notify",
    "kangyang.regions",
    "kangyang.registry",
    "kangyang.assessment",
    "kangyang.allowances",
    "kangyang.alarms",
    "kangyang.services",
    "kangyang.visits",
    "kangyang.timebank",
    "kangyang.institutions",
    # Health services (issue 17): after alarms (its devices send readings) and visits (tiers).
    "kangyang.health",
    # Paying the elder's share of an order (issue 14): after services, whose orders it pays.
    "kangyang.payments",
    "kangyang.portal",
    "kangyang.indicators",
    "kangyang.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise: a year's caching for static files asked for at their version (lib/staticfiles.py).
    "kangyang.lib.staticfiles.StaticCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After LocaleMiddleware, so that its refusals are in the request's language.
    "kangyang.lib.middleware.InputGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After OTPMiddleware: needs request.user.is_verified().
    "kangyang.accounts.middleware.SignInGuardMiddleware",
    "kangyang.accounts.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kangyang.audit.context.AuditContextMiddleware",
]
# Reverse proxies in front of Kangyang whose X-Forwarded-For is trusted (0: none).
TRUSTED_PROXY_COUNT = envint("KANGYANG_TRUSTED_PROXY_COUNT", "0")

ROOT_URLCONF = "kangyang.urls"
WSGI_APPLICATION = "kangyang.wsgi.application"
ASGI_APPLICATION = "kangyang.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kangyang.accounts.context_processors.navigation",
                "kangyang.accounts.context_processors.demo_mode",
                "kangyang.portal.context_processors.app_shell",
            ],
            # Filters every template may use (money, rates): {% load kangyang %}.
            "libraries": {"kangyang": "kangyang.lib.templatetags.kangyang"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{DATA_DIR / 'kangyang.sqlite3'}"),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server read while the worker writes; a busy timeout instead of
    # "database is locked"; IMMEDIATE so write transactions take the lock up front.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A bounded pool per process (psycopg 3, Django 5.1+). Persistent connections
    # (CONN_MAX_AGE) are per thread, and under ASGI Django runs each request's sync code
    # in a thread of its own: each left an idle connection behind until PostgreSQL's
    # max_connections was used up (bench/connections.py --no-pool). The pool shares at most DB_POOL_SIZE
    # connections among all threads of the process; a request waits up to
    # KANGYANG_DB_POOL_TIMEOUT seconds for one, then fails alone, not the server.
    # KANGYANG_DB_POOL_SIZE=0 turns the pool off (e.g. behind PgBouncer); only then is
    # KANGYANG_DB_CONN_MAX_AGE read (Django refuses persistent connections with a pool).
    # No JIT compilation: our heavy queries are single grouped scans (the indicators of a
    # city), for which compiling cost more than it saved (bench/indicators.py, a million elders:
    # the city's live report 0.7 s longer with JIT); everything else is short. Sent as a
    # startup parameter; behind PgBouncer, which refuses unknown ones, see the README.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    DB_POOL_SIZE = envint("KANGYANG_DB_POOL_SIZE", "10")
    if DB_POOL_SIZE < 0:
        raise ImproperlyConfigured("KANGYANG_DB_POOL_SIZE must be 0 (no pool) or more.")
    if DB_POOL_SIZE:
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(2, DB_POOL_SIZE),
            "max_size": DB_POOL_SIZE,
            "timeout": envfloat("KANGYANG_DB_POOL_TIMEOUT", "10"),
            "max_idle": 300,  # idle connections above min_size close after 5 minutes
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = envint("KANGYANG_DB_CONN_MAX_AGE", "0")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Failed sign-ins for one username from one address before that pair is refused for a while;
# a username from any address and an address for any usernames have higher caps, so that
# one person's typos (or an attacker's guesses) do not lock out everyone behind the address.
LOGIN_FAILURE_LIMIT = envint("KANGYANG_LOGIN_FAILURE_LIMIT", "5")
LOGIN_ACCOUNT_FAILURE_LIMIT = envint("KANGYANG_LOGIN_ACCOUNT_FAILURE_LIMIT", "20")
LOGIN_ADDRESS_FAILURE_LIMIT = envint("KANGYANG_LOGIN_ADDRESS_FAILURE_LIMIT", "50")
LOGIN_LOCKOUT = timedelta(seconds=envint("KANGYANG_LOGIN_LOCKOUT_SECONDS", "900"))
API_TOKEN_LIFETIME = timedelta(days=envint("KANGYANG_API_TOKEN_DAYS", "30"))

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kangyang_cache",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("KANGYANG_SECURE_COOKIES", "false")
# A session ends after this many idle minutes (the expiry moves forward on each request),
# and in any case this many hours after signing in.
SESSION_IDLE_MINUTES = envint("KANGYANG_SESSION_IDLE_MINUTES", "30")
SESSION_MAX_HOURS = envint("KANGYANG_SESSION_MAX_HOURS", "12")
if SESSION_IDLE_MINUTES <= 0 or SESSION_MAX_HOURS <= 0:
    raise ImproperlyConfigured("KANGYANG_SESSION_IDLE_MINUTES and KANGYANG_SESSION_MAX_HOURS must be above zero")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
# django-otp: the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = "Kangyang"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.getenv("KANGYANG_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even when empty
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    # Uploaded sheets and rejected-row files hold full ID numbers: encrypted with the field key.
    "default": {"BACKEND": "kangyang.lib.storage.EncryptedFileSystemStorage"},
    # {% static %} URLs carry the file's content hash, so phones may keep them (lib/staticfiles.py).
    "staticfiles": {"BACKEND": "kangyang.lib.staticfiles.VersionedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Stored files are readable by the platform's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# Imports larger than this many rows run in the background with a progress bar.
IMPORT_BACKGROUND_ROWS = envint("KANGYANG_IMPORT_BACKGROUND_ROWS", "500")
# Uploaded sheets and rejected-row files (full ID numbers) are deleted this many days after
# their import, by the background worker (kangyang worker) every hour.
IMPORT_RETENTION_DAYS = envint("KANGYANG_IMPORT_RETENTION_DAYS", "30")
if IMPORT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("KANGYANG_IMPORT_RETENTION_DAYS must be at least 1")

# The worker computes the indicators of the running month and year again once their snapshot
# is this old (the dashboard reads the snapshots; "compute now" does it at once).
INDICATORS_REFRESH = timedelta(minutes=envint("KANGYANG_INDICATORS_REFRESH_MINUTES", "15"))
if INDICATORS_REFRESH < timedelta(minutes=1):
    raise ImproperlyConfigured("KANGYANG_INDICATORS_REFRESH_MINUTES must be at least 1")

# GB/T 42195-2022 leaves open whether a diagnosis and ≥2 care-risk events together raise the
# level by one or by two (shared/spec/assessment-gbt42195.md): one unless this is true.
ASSESSMENT_STACK_RAISES = envbool("KANGYANG_ASSESSMENT_STACK_RAISES", "false")
# A signed assessment is valid this many months; then a routine re-assessment is due.
ASSESSMENT_VALID_MONTHS = envint("KANGYANG_ASSESSMENT_VALID_MONTHS", "12")
# …or this many after an immediate re-assessment or a change of two levels or more.
ASSESSMENT_SHORT_VALID_MONTHS = envint("KANGYANG_ASSESSMENT_SHORT_VALID_MONTHS", "6")

# The broker of the devices: mqtt://host:1883 or mqtts://user:password@host:8883 (TLS); the
# credentials are the ingester's (or read the whole URL from the file named by MQTT_URL_FILE).
MQTT_URL = envsecret("MQTT_URL") or "mqtt://127.0.0.1:1883"
# CA certificate(s) that sign the broker's certificate for mqtts:// (default: the system's).
MQTT_CA_FILE = os.getenv("KANGYANG_MQTT_CA_FILE", "")
# The ingester's persistent session. Two deployments, or two ingesters, on one broker must
# never share a client id (the second takes the first one's session and its messages), so
# the default is derived from this deployment's secret key.
MQTT_CLIENT_ID = os.getenv("KANGYANG_MQTT_CLIENT_ID") or (
    "kangyang-ingest-" + hashlib.sha256(b"mqtt-client-id:" + SECRET_KEY.encode()).hexdigest()[:10]
)
# Topics are PREFIX/devices/{device_id}/alarm|heartbeat (CONTRACTS.md: prefix "kangyang").
MQTT_TOPIC_PREFIX = os.getenv("KANGYANG_MQTT_TOPIC_PREFIX", "kangyang")
# When set, ingesters subscribe through $share/GROUP/… and the broker splits the messages
# between them (MQTT 5 or 3.1.1 with Mosquitto >= 2, EMQX); each ingester keeps its own id.
MQTT_SHARED_GROUP = os.getenv("KANGYANG_MQTT_SHARED_GROUP", "")
if not re.fullmatch(r"[^+#\s]+(/[^+#/\s]+)*", MQTT_TOPIC_PREFIX) or MQTT_TOPIC_PREFIX.startswith(("$", "/")):
    raise ImproperlyConfigured("KANGYANG_MQTT_TOPIC_PREFIX must be topic levels without + # $ or spaces")
if MQTT_SHARED_GROUP and not re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}", MQTT_SHARED_GROUP):
    raise ImproperlyConfigured("KANGYANG_MQTT_SHARED_GROUP must be letters, digits and . _ - only")
if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}", MQTT_CLIENT_ID):
    raise ImproperlyConfigured("KANGYANG_MQTT_CLIENT_ID must be 1 to 64 letters, digits and . _ -")
# Alarms (issue 6). Not acknowledged within this long → the second operator group; after
# twice as long → the duty officer.
ALARM_ESCALATE_AFTER = timedelta(seconds=envint("KANGYANG_ALARM_ESCALATE_AFTER", "60"))
# A device is offline when not heard from for its heartbeat interval plus this.
ALARM_OFFLINE_GRACE = timedelta(seconds=envint("KANGYANG_ALARM_OFFLINE_GRACE", "300"))
# Another alarm of the same type from the same elder (device or app) within this long of the
# open alarm's latest message is merged into it, counted, instead of waiting as a second one
# (issue 12). 0 turns merging off.
ALARM_REPEAT_WINDOW = timedelta(seconds=envint("KANGYANG_ALARM_REPEAT_WINDOW", "600"))
if ALARM_REPEAT_WINDOW.total_seconds() < 0:
    raise ImproperlyConfigured("KANGYANG_ALARM_REPEAT_WINDOW must be 0 or more seconds")
# The operator's softphone: a URL template with {number}, such as sip:{number}@pbx.example or
# https://pbx.example/dial?to={number}; each revealed number gets a link to it beside its tel:
# link. Empty: tel: links only.
SOFTPHONE_URL = os.getenv("KANGYANG_SOFTPHONE_URL", "")
if SOFTPHONE_URL and (
    SOFTPHONE_URL.count("{number}") != 1 or not re.match(r"(sips?|tel|callto|https?):", SOFTPHONE_URL)
):
    raise ImproperlyConfigured(
        "KANGYANG_SOFTPHONE_URL must be a sip:, sips:, tel:, callto:, http: or https: URL with {number} once"
    )
# Vendors' clouds that post device messages to /api/v1/devices/webhook, as
# "vendor:secret,vendor2:secret2" (or a file named by KANGYANG_DEVICE_WEBHOOK_SECRETS_FILE).
DEVICE_WEBHOOK_SECRETS: dict[str, str] = {}
for _item in filter(None, (envsecret("KANGYANG_DEVICE_WEBHOOK_SECRETS") or "").split(",")):
    _vendor, _sep, _secret = _item.partition(":")
    if not (_vendor.strip() and _secret.strip()):
        raise ImproperlyConfigured("KANGYANG_DEVICE_WEBHOOK_SECRETS must be vendor:secret pairs, comma-separated")
    DEVICE_WEBHOOK_SECRETS[_vendor.strip()] = _secret.strip()

# Home services (issue 5). A check-in or check-out farther than this from the elder's home
# is flagged for review (never refused).
VISIT_RADIUS_M = envint("KANGYANG_VISIT_RADIUS_M", "200")
# Travel between homes for dispatch and route planning: straight-line distance × detour
# factor, at this speed (an e-bike in town; about 4.5 for caregivers on foot).
ROUTE_SPEED_KMH = envfloat("KANGYANG_ROUTE_SPEED_KMH", "15")
ROUTE_DETOUR = envfloat("KANGYANG_ROUTE_DETOUR", "1.3")
# Seconds the route planner may search for one provider's day.
ROUTE_SECONDS = envfloat("KANGYANG_ROUTE_SECONDS", "10")
# A check-in earlier than this before the order's window (or after its end) is flagged for
# review (never refused).
EARLY_CHECK_IN = timedelta(hours=envfloat("KANGYANG_EARLY_CHECK_IN_HOURS", "2"))
if EARLY_CHECK_IN < timedelta(0):
    raise ImproperlyConfigured("KANGYANG_EARLY_CHECK_IN_HOURS must be zero or more")
if VISIT_RADIUS_M <= 0 or ROUTE_SPEED_KMH <= 0 or ROUTE_DETOUR < 1 or ROUTE_SECONDS <= 0:
    raise ImproperlyConfigured(
        "KANGYANG_VISIT_RADIUS_M, KANGYANG_ROUTE_SPEED_KMH and KANGYANG_ROUTE_SECONDS must be "
        "above zero, KANGYANG_ROUTE_DETOUR at least 1"
    )

# The time bank (issue 15). Volunteers register from TIMEBANK_MIN_AGE and spend hours from
# TIMEBANK_REDEEM_MIN_AGE; a person's balance may not pass TIMEBANK_CAP_HOURS (empty: no cap, as in
# Shanghai; Nanjing caps at 1,500). Transfers to family and donations to vulnerable elders are
# limited per giving account and calendar year (empty: no limit).
TIMEBANK_MIN_AGE = envint("KANGYANG_TIMEBANK_MIN_AGE", "18")
TIMEBANK_REDEEM_MIN_AGE = envint("KANGYANG_TIMEBANK_REDEEM_MIN_AGE", "60")


def _hours_or_none(name: str, default: str) -> int | None:
    value = os.getenv(name, default).strip()
    if not value:
        return None
    hours = envint(name, value)
    if hours < 0:
        raise ImproperlyConfigured(f"{name} must be empty or zero or more hours")
    return hours


TIMEBANK_CAP_HOURS = _hours_or_none("KANGYANG_TIMEBANK_CAP_HOURS", "")
TIMEBANK_TRANSFER_LIMIT_HOURS = _hours_or_none("KANGYANG_TIMEBANK_TRANSFER_LIMIT_HOURS", "100")
TIMEBANK_DONATION_LIMIT_HOURS = _hours_or_none("KANGYANG_TIMEBANK_DONATION_LIMIT_HOURS", "100")
if not 0 < TIMEBANK_MIN_AGE <= TIMEBANK_REDEEM_MIN_AGE:
    raise ImproperlyConfigured(
        "KANGYANG_TIMEBANK_MIN_AGE must be above zero and at most KANGYANG_TIMEBANK_REDEEM_MIN_AGE"
    )

# Care calls (关爱电话, kangyang/visits/actions/calls.py): every elder living alone is called
# this often; an unanswered call is tried again after RETRY_MINUTES, and after RETRIES
# unanswered calls in a row a home visit is due within 24 hours.
CARE_CALL_EVERY_DAYS = envint("KANGYANG_CARE_CALL_EVERY_DAYS", "7")
CARE_CALL_RETRIES = envint("KANGYANG_CARE_CALL_RETRIES", "3")
CARE_CALL_RETRY_MINUTES = envint("KANGYANG_CARE_CALL_RETRY_MINUTES", "120")
if CARE_CALL_EVERY_DAYS < 1 or CARE_CALL_RETRIES < 1 or CARE_CALL_RETRY_MINUTES < 1:
    raise ImproperlyConfigured(
        "KANGYANG_CARE_CALL_EVERY_DAYS, KANGYANG_CARE_CALL_RETRIES and KANGYANG_CARE_CALL_RETRY_MINUTES must be at least 1"
    )

# Maps (kangyang/lib/maps.py): the tile server the pages' maps draw on. "none" (the default,
# the demo's): no tiles, region outlines and points on a plain background, nothing loaded
# from another host; "tianditu" with the bureau's browser key; "amap" (points converted to
# GCJ-02); or a URL template of the bureau's own tile server, https://tiles.example/{z}/{x}/{y}.png.
# Only the configured host joins the Content-Security-Policy's img-src.
MAP_TILES = maps.tile_source(
    os.getenv("KANGYANG_MAP_TILES", "none"),
    tianditu_key=envsecret("KANGYANG_TIANDITU_KEY") or "",
    attribution=os.getenv("KANGYANG_MAP_ATTRIBUTION", ""),
    subdomains=os.getenv("KANGYANG_MAP_SUBDOMAINS", ""),
)
# The wall display (/indicators/wall/) asks for fresh figures this often.
WALL_REFRESH_SECONDS = envint("KANGYANG_WALL_REFRESH_SECONDS", "15")
if not 5 <= WALL_REFRESH_SECONDS <= 3600:
    raise ImproperlyConfigured("KANGYANG_WALL_REFRESH_SECONDS must be between 5 and 3600")

# Notifications (kangyang/notify). SMS: "console" writes to the log (the default, and the
# demo's); "aliyun" sends through Alibaba Cloud SMS with the keys below.
SMS_TRANSPORT = os.getenv("KANGYANG_SMS_TRANSPORT", "console")
if SMS_TRANSPORT not in ("console", "aliyun"):
    raise ImproperlyConfigured("KANGYANG_SMS_TRANSPORT must be 'console' or 'aliyun'")
ALIYUN_SMS_ACCESS_KEY_ID = os.getenv("KANGYANG_ALIYUN_SMS_ACCESS_KEY_ID", "")
ALIYUN_SMS_ACCESS_KEY_SECRET = envsecret("KANGYANG_ALIYUN_SMS_ACCESS_KEY_SECRET") or ""
ALIYUN_SMS_SIGN_NAME = os.getenv("KANGYANG_ALIYUN_SMS_SIGN_NAME", "")
ALIYUN_SMS_ENDPOINT = os.getenv("KANGYANG_ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
ALIYUN_SMS_REGION = os.getenv("KANGYANG_ALIYUN_SMS_REGION", "cn-hangzhou")
# Our template code → the provider's approved template id: "alarm.escalated:SMS_1234,alarm.family:SMS_5678".
ALIYUN_SMS_TEMPLATES: dict[str, str] = {}
for _item in filter(None, os.getenv("KANGYANG_ALIYUN_SMS_TEMPLATES", "").split(",")):
    _code, _sep, _template = _item.partition(":")
    if not (_code.strip() and _template.strip()):
        raise ImproperlyConfigured("KANGYANG_ALIYUN_SMS_TEMPLATES must be code:template pairs, comma-separated")
    ALIYUN_SMS_TEMPLATES[_code.strip()] = _template.strip()
# E-mail: smtp://user:password@host:587 (STARTTLS) or smtps://…:465; unset: printed to the console.
EMAIL_URL = envsecret("KANGYANG_EMAIL_URL") or ""
if EMAIL_URL:
    _mail = urlsplit(EMAIL_URL)
    if _mail.scheme not in ("smtp", "smtps") or not _mail.hostname:
        raise ImproperlyConfigured("KANGYANG_EMAIL_URL must be smtp://… or smtps://… with a host")
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT = _mail.hostname, _mail.port or (465 if _mail.scheme == "smtps" else 587)
    EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = unquote(_mail.username or ""), unquote(_mail.password or "")
    EMAIL_USE_SSL, EMAIL_USE_TLS = _mail.scheme == "smtps", _mail.scheme == "smtp" and EMAIL_PORT != 25
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.getenv("KANGYANG_EMAIL_FROM", "kangyang@localhost")
# Web push: the VAPID key (base64url, 32 bytes; generated once into the data dir when unset)
# and the contact the push services may write to.
VAPID_PRIVATE_KEY = envsecret("KANGYANG_VAPID_PRIVATE_KEY") or ""
VAPID_SUBJECT = os.getenv("KANGYANG_VAPID_SUBJECT", "mailto:admin@localhost")
# A failed message is tried again after this long, then 4× longer each time (at most an hour
# apart), until it has been tried this many times.
# Issue 14 (elder app): the address people open the app at, for links in messages (an SMS
# cannot carry a relative link), and which payment provider takes the elder's share.
PUBLIC_URL = os.getenv("KANGYANG_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
if not PUBLIC_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("KANGYANG_PUBLIC_URL must start with http:// or https://")
PAYMENT_PROVIDER = os.getenv("KANGYANG_PAYMENT_PROVIDER", "fake")
if PAYMENT_PROVIDER not in ("fake",):
    raise ImproperlyConfigured("KANGYANG_PAYMENT_PROVIDER must be 'fake' (no real provider is integrated yet)")
NOTIFY_RETRY_AFTER = timedelta(seconds=envint("KANGYANG_NOTIFY_RETRY_AFTER", "30"))
NOTIFY_MAX_ATTEMPTS = envint("KANGYANG_NOTIFY_MAX_ATTEMPTS", "5")
if NOTIFY_RETRY_AFTER.total_seconds() <= 0 or NOTIFY_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured("KANGYANG_NOTIFY_RETRY_AFTER must be above zero, KANGYANG_NOTIFY_MAX_ATTEMPTS at least 1")
# An organisation's licence about to lapse: its managers and the bureau admins of its district
# are told this many days before, again 7 days before and on the day it expires (each once per
# licence; accounts/licences.py, run daily by `kangyang worker`).
LICENCE_WARNING_DAYS = envint("KANGYANG_LICENCE_WARNING_DAYS", "30")
if LICENCE_WARNING_DAYS < 1:
    raise ImproperlyConfigured("KANGYANG_LICENCE_WARNING_DAYS must be at least 1")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusals_without_traceback": {"()": "kangyang.lib.logs.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.getenv("KANGYANG_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A 403 or 404 is one line without a traceback (lib/logs.py); a 500 keeps its traceback.
        "django.request": {"filters": ["refusals_without_traceback"]},
    },
}

# The elder-care service hotline the app offers when there is no connection (the offline page's
# tel: link, the SOS fallback): 12349 is China's elder-care service hotline; a city may run its own.
HOTLINE = os.getenv("KANGYANG_HOTLINE", "12349").strip()
if not re.fullmatch(r"\+?[0-9][0-9-]{1,19}", HOTLINE):
    raise ImproperlyConfigured("KANGYANG_HOTLINE must be a telephone number: digits, '-' and a leading '+' only")

# Shown in the page header and exports.
SITE_NAME = _("Kangyang elder-care platform")
# A form whose CSRF token failed gets a page in the reader's words (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "kangyang.urls.csrf_failure"

# Institutions, hazards (issue 16): an open hazard past its deadline is escalated to the
# subdistrict at once (level 1) and to the district bureau this many days after its deadline (level 2).
HAZARD_ESCALATE_DAYS = envint("KANGYANG_HAZARD_ESCALATE_DAYS", "7")
# Institutions, register (issue 16 §1): prepaid fees (会员卡 / 预付费) plus deposits an institution
# holds above this many yuan are flagged to the bureau; a medical agreement or a liability
# insurance that ends within this many days is flagged on the register and told to the district's
# bureau admins once per threshold (institutions.actions.register.warn_expiring_documents_once).
KANGYANG_PREPAID_FLAG_YUAN = envint("KANGYANG_PREPAID_FLAG_YUAN", "500000")
if KANGYANG_PREPAID_FLAG_YUAN < 0:
    raise ImproperlyConfigured("KANGYANG_PREPAID_FLAG_YUAN must not be negative")
KANGYANG_INSTITUTION_EXPIRY_DAYS = envint("KANGYANG_INSTITUTION_EXPIRY_DAYS", "30")
if KANGYANG_INSTITUTION_EXPIRY_DAYS < 1:
    raise ImproperlyConfigured("KANGYANG_INSTITUTION_EXPIRY_DAYS must be at least 1")

# Health (issue 17): an urgent reading's alert not acknowledged within this many minutes is told
# to the subdistrict (level 1), and after twice as long to the district bureau (level 2).
KANGYANG_HEALTH_ALERT_ESCALATE_MINUTES = envint("KANGYANG_HEALTH_ALERT_ESCALATE_MINUTES", "30")
if KANGYANG_HEALTH_ALERT_ESCALATE_MINUTES < 1:
    raise ImproperlyConfigured("KANGYANG_HEALTH_ALERT_ESCALATE_MINUTES must be at least 1")
# Health, contracts (issue 17 §2): the elder and the team are reminded this many days before a
# family-doctor contract ends (and again at 7 days and on the day).
KANGYANG_CONTRACT_RENEWAL_DAYS = envint("KANGYANG_CONTRACT_RENEWAL_DAYS", "30")
if KANGYANG_CONTRACT_RENEWAL_DAYS < 1:
    raise ImproperlyConfigured("KANGYANG_CONTRACT_RENEWAL_DAYS must be at least 1")
