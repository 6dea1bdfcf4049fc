"""A scratch PostgreSQL database for a benchmark: made from DATABASE_URL's server, dropped at
the end. Shared by bench/queue.py and bench/sweep.py."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit, urlunsplit


def server_urls(bench: str, database: str) -> tuple[str, str]:
    """(maintenance URL, scratch database URL) on the server DATABASE_URL names."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"bench/{bench} needs DATABASE_URL=postgres://... (a PostgreSQL server).")
    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    scratch = urlunsplit(parts._replace(path=f"/{database}"))
    return maintenance, scratch


def admin_sql(maintenance_url: str, statement: str) -> None:
    import psycopg2

    conn = psycopg2.connect(maintenance_url)
    conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()
