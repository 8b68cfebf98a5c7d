"""Settings come from the environment; production refuses unsafe defaults."""

import ast
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    # Debug off in so many words: manage.py would otherwise take DJANGO_DEBUG=1
    # from the .env that `make run` writes (the real environment wins over it).
    production = {"DJANGO_SETTINGS_MODULE": "config.settings.base", "DJANGO_DEBUG": ""}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **production, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check")
    assert result.returncode == 1
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off." in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="positions.example.org",
        DATABASE_URL="postgres://app@db:5432/app",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_development_needs_nothing_but_debug():
    result = manage("check", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_sqlite_database_file_runs_in_wal_mode(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'wal.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "wal"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_postgresql_compiles_no_query_just_in_time():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def database_options(**env) -> dict:
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(repr(settings.DATABASES['default']['OPTIONS']))",
        DJANGO_DEBUG="1",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_postgresql_options_keep_what_the_url_sets_add_no_jit_and_prepare_when_asked():
    url = "postgres://app@db:5432/app?sslmode=require&options=-c%20statement_timeout%3D5000"
    assert database_options(DATABASE_URL=url) == {
        "sslmode": "require",
        "options": "-c statement_timeout=5000 -c jit=off",
    }
    # Behind a pooler that refuses startup options, the server's own setting.
    assert database_options(DATABASE_URL=url, DJANGO_POSTGRES_JIT_OFF="0") == {
        "sslmode": "require",
        "options": "-c statement_timeout=5000",
    }
    # Prepared statements when asked: the server binds the parameters.
    assert database_options(DATABASE_URL=url, DJANGO_POSTGRES_PREPARED="1") == {
        "sslmode": "require",
        "options": "-c statement_timeout=5000 -c jit=off",
        "server_side_binding": True,
        "prepare_threshold": 5,
    }


def test_manage_py_reads_a_local_env_file_under_the_real_environment(tmp_path, monkeypatch):
    """What lets README's `.venv/bin/python manage.py …` commands run as written."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("manage", ROOT / "manage.py")
    manage = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(manage)
    env = tmp_path / ".env"
    env.write_text("# a comment\nDJANGO_DEBUG=1\nCACHE_KEY_PREFIX='from-file'\n\nnot a line\n")
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    monkeypatch.setenv("CACHE_KEY_PREFIX", "from-environment")
    manage.read_env_file(env)
    assert os.environ["DJANGO_DEBUG"] == "1"
    assert os.environ["CACHE_KEY_PREFIX"] == "from-environment"
    manage.read_env_file(tmp_path / "missing")


def test_a_replica_url_adds_the_replica_and_its_router():
    code = (
        "from django.conf import settings; d = settings.DATABASES; "
        "print(repr((d['replica']['HOST'], d['replica']['PORT'], d['replica']['NAME'], "
        "d['replica']['OPTIONS'], d['replica']['CONN_MAX_AGE'] == d['default']['CONN_MAX_AGE'], "
        "settings.DATABASE_ROUTERS)))"
    )
    result = manage(
        "shell",
        "-c",
        code,
        DJANGO_DEBUG="1",
        DATABASE_URL="postgres://app@db:5432/app",
        DATABASE_REPLICA_URL="postgres://app@db-replica:5432/app",
    )
    assert result.returncode == 0, result.stderr
    assert ast.literal_eval(result.stdout.strip().splitlines()[-1]) == (
        "db-replica",
        5432,
        "app",
        {"options": "-c jit=off"},
        True,
        ["config.routers.ReplicaRouter"],
    )
    # Without it: one database, no router.
    alone = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(repr((list(settings.DATABASES), "
        "settings.DATABASE_ROUTERS)))",
        DJANGO_DEBUG="1",
    )
    assert ast.literal_eval(alone.stdout.strip().splitlines()[-1]) == (["default"], [])


def test_the_compose_files_it_mounts_are_here():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            if volume.startswith("./"):
                assert (ROOT / volume.split(":")[0]).exists(), (name, volume)
    app = compose["services"]["app"]["environment"]
    assert "@db-replica:" in app["DATABASE_REPLICA_URL"] and "@db:" in app["DATABASE_URL"]
    assert compose["services"]["db-replica"]["profiles"] == ["scale"]
    for script in ("replica-entrypoint.sh", "primary-replication.sh", "entrypoint.sh"):
        assert os.access(ROOT / "docker" / script, os.X_OK), script


def test_the_wsgi_application_sets_what_it_loaded_aside_from_the_collector():
    """gunicorn's workers load config.wsgi: what it loads lives as long as the
    process and is frozen, so full collections do not walk it mid-request;
    and young collections come every 50,000 new objects, not inside every
    heavy request."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gc, config.wsgi as w; "
            "print(gc.get_freeze_count(), callable(w.application), gc.get_threshold()[0])",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    frozen, callable_app, young = result.stdout.split()
    assert int(frozen) > 10_000 and callable_app == "True"
    assert young == "50000"
