#!/usr/bin/env python
import os
import sys
from pathlib import Path


def read_env_file(path: Path) -> None:
    """``KEY=value`` lines of a local ``.env`` (written by ``make run``) as
    defaults: the real environment always wins. Only manage.py reads it;
    servers and the test suite take their settings from the environment."""
    if not path.is_file():
        return
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip("\"'"))


def main():
    read_env_file(Path(__file__).resolve().parent / ".env")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
