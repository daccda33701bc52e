"""Every setting an operator may change, in one registry.

The settings module reads the environment only through `SETTINGS`, and
`docs/*/reference/configuration.md` is generated from it; a test fails when the two
drift apart, so a setting cannot exist without being documented.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Setting:
    """One environment variable: its name, default and meaning (English and Spanish)."""

    name: str
    default: str
    kind: str
    help_en: str
    help_es: str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "TERTULIA_ENV", "dev", "dev | test | prod",
        "Where this instance runs. Outside `dev` the server refuses to start without "
        "TERTULIA_SECRET_KEY, cookies are secure and HSTS is sent.",
        "Dónde se ejecuta esta instancia. Fuera de `dev` el servidor no arranca sin "
        "TERTULIA_SECRET_KEY, las cookies son seguras y se envía HSTS.",
    ),
    Setting(
        "TERTULIA_SECRET_KEY", "", "string",
        "Key that signs sessions, password-reset links and invitations. Required outside dev; "
        "in dev a key is generated once into `var/secret_key`.",
        "Clave que firma sesiones, enlaces de restablecimiento e invitaciones. Obligatoria fuera "
        "de dev; en dev se genera una vez en `var/secret_key`.",
        secret=True,
    ),
    Setting(
        "TERTULIA_DATA_DIR", "./var", "path",
        "Folder for the embedded database, the task queue, uploads, reports and logs.",
        "Carpeta de la base de datos embebida, la cola de tareas, los ficheros subidos, "
        "los informes y los registros.",
    ),
    Setting(
        "TERTULIA_DATABASE_URL", "", "URL",
        "Database URL: `sqlite:///path/db.sqlite3` or `postgres://user:pass@host:5432/name`. "
        "Empty means SQLite in WAL mode at `<data dir>/tertulia.sqlite3`.",
        "URL de la base de datos: `sqlite:///ruta/db.sqlite3` o "
        "`postgres://usuario:clave@host:5432/nombre`. Vacía significa SQLite en modo WAL en "
        "`<carpeta de datos>/tertulia.sqlite3`.",
        secret=True,
    ),
    Setting(
        "TERTULIA_REDIS_URL", "", "URL",
        "Redis URL (`redis://127.0.0.1:6379/0`). When set, the task queue and the live event "
        "bus use Redis so that many workers can run; empty means the embedded SQLite queue.",
        "URL de Redis (`redis://127.0.0.1:6379/0`). Si se indica, la cola de tareas y el bus de "
        "eventos en vivo usan Redis para poder tener muchos trabajadores; vacía significa la "
        "cola SQLite embebida.",
        secret=True,
    ),
    Setting(
        "TERTULIA_ALLOWED_HOSTS", "127.0.0.1,localhost", "comma-separated hosts",
        "Host names this server answers to.",
        "Nombres de host a los que responde este servidor.",
    ),
    Setting(
        "TERTULIA_BASE_URL", "http://127.0.0.1:8000", "URL",
        "Public address of the platform, used in e-mailed links (invitations, reports).",
        "Dirección pública de la plataforma, usada en los enlaces enviados por correo "
        "(invitaciones, informes).",
    ),
    Setting(
        "TERTULIA_EMAIL_URL", "", "URL",
        "Outgoing mail: `smtp://user:pass@host:587?tls=1`. Empty writes every message to "
        "`<data dir>/mail/` (and, in dev, to the console) so nothing is lost.",
        "Correo saliente: `smtp://usuario:clave@host:587?tls=1`. Vacía escribe cada mensaje en "
        "`<carpeta de datos>/mail/` (y, en dev, en la consola) para no perder nada.",
        secret=True,
    ),
    Setting(
        "TERTULIA_DEFAULT_FROM_EMAIL", "tertulia <no-reply@localhost>", "address",
        "Sender of the platform's e-mails.",
        "Remitente de los correos de la plataforma.",
    ),
    Setting(
        "TERTULIA_WORKERS", "2", "integer",
        "Background worker threads that `tertulia run` starts beside the web server.",
        "Hilos de trabajo en segundo plano que `tertulia run` arranca junto al servidor web.",
    ),
    Setting(
        "TERTULIA_LOG_LEVEL", "INFO", "DEBUG | INFO | WARNING | ERROR",
        "Level of the platform's log on standard error.",
        "Nivel del registro de la plataforma en la salida de error.",
    ),
    Setting(
        "TERTULIA_LOGIN_ATTEMPTS", "5", "integer",
        "Failed sign-ins allowed per account and per address within 5 minutes before "
        "further attempts are refused.",
        "Intentos de acceso fallidos permitidos por cuenta y por dirección en 5 minutos antes "
        "de rechazar los siguientes.",
    ),
    Setting(
        "TERTULIA_API_REQUESTS_PER_MINUTE", "600", "integer",
        "Requests each API token may make per minute; beyond it the API answers 429 with "
        "Retry-After.",
        "Peticiones por minuto permitidas a cada token de la API; por encima, la API responde "
        "429 con Retry-After.",
    ),
    Setting(
        "TERTULIA_SESSION_HOURS", "336", "integer",
        "How long a sign-in lasts, in hours (default: two weeks).",
        "Cuánto dura una sesión, en horas (por defecto, dos semanas).",
    ),
)

BY_NAME: Mapping[str, Setting] = {s.name: s for s in SETTINGS}


def env(name: str, environ: Mapping[str, str] | None = None) -> str:
    """The value of a registered setting; an unregistered name is a programming error."""
    setting = BY_NAME[name]
    source = os.environ if environ is None else environ
    return source.get(name, setting.default)


def env_int(name: str, environ: Mapping[str, str] | None = None) -> int:
    raw = env(name, environ)
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, parse: Callable[[str], str] = str.strip) -> list[str]:
    return [parse(part) for part in env(name).split(",") if part.strip()]
