"""The fault tests' world: a private Redis, a scratch database, and the project's own processes.

Each test module gets
- its own `redis-server` on a free port in a temporary folder, so stopping or pausing it
  disturbs no other test (nor the Redis CI runs the rest of the suite on);
- its own database: a scratch PostgreSQL database on the server DATABASE_URL names (CI), or a
  SQLite file; migrated by `manage.py migrate` in a subprocess;
- a media and var folder shared by every process it starts;
- real processes started on demand: Celery workers (prefork, as deployed), a gunicorn web
  server, and agents (tests/faults/agent.py) that act and read through the services.

Every process is started in its own session (process group) and the group is killed when the
test ends, passed or failed. In CI (CI=true) a missing redis-server or gunicorn fails the run:
these tests must never be skipped there.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ..needs import missing

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Short, so that a lease (time limit + margin) expires within the test.
TASK_TIME_LIMIT = 20


def require(program: str) -> str:
    """The program's path; in CI its absence fails the test instead of skipping it."""
    path = shutil.which(program) or (str(BIN / program) if (BIN / program).exists() else None)
    if path:
        return path
    missing(f"{program} is needed by the fault tests (tests/faults)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check: Callable[[], Any], *, timeout: float, what: str, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


@dataclass
class Service:
    """A process in a session of its own: kill its whole group, children included."""

    name: str
    process: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def stop(self, grace: float = 10.0) -> None:
        if not self.alive():
            self.kill()  # its children may outlive it
            return
        self.kill(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)
        self.kill()
        self.process.wait(timeout=10)


class RedisServer:
    def __init__(self, folder: Path) -> None:
        self.binary = require("redis-server")
        self.folder = folder
        self.port = free_port()
        self.service: Service | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = self.folder / "redis.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
                + ["--save", "", "--appendonly", "no", "--dir", str(self.folder)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.service = Service("redis", process, log)
        wait_for(self.ping, timeout=10, what="redis-server to answer")

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()
            self.service = None

    def command(self, *args: str, timeout: float = 2.0) -> Any:
        """One command over a fresh connection (RESP by hand: no client library needed)."""
        parts = [f"*{len(args)}\r\n".encode()]
        for arg in args:
            data = str(arg).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(b"".join(parts))
            return sock.recv(65536).decode(errors="replace")

    def ping(self) -> bool:
        try:
            return "PONG" in self.command("PING", timeout=0.5)
        except OSError:
            return False

    def pause(self, milliseconds: int) -> None:
        """CLIENT PAUSE ALL: every client's commands wait, even a CLIENT UNPAUSE from another
        connection (Redis 7.0), so a pause is let run out (wait_unpaused)."""
        assert self.command("CLIENT", "PAUSE", str(milliseconds), "ALL").startswith("+OK")
        self.paused_until = time.monotonic() + milliseconds / 1000

    def wait_unpaused(self) -> None:
        time.sleep(max(0.0, getattr(self, "paused_until", 0.0) - time.monotonic()))
        wait_for(self.ping, timeout=10, what="redis-server to answer after the pause")


class Database:
    """A scratch database for one test module: the subprocesses all see it."""

    def __init__(self, folder: Path, label: str) -> None:
        self.server_url = os.environ.get("DATABASE_URL", "")
        self.postgres = self.server_url.startswith(("postgres://", "postgresql://"))
        if self.postgres:
            self.name = f"roi_faults_{label}_{uuid.uuid4().hex[:8]}"
            parts = urllib.parse.urlsplit(self.server_url)
            self.url = urllib.parse.urlunsplit(parts._replace(path=f"/{self.name}"))
            self._admin(f'CREATE DATABASE "{self.name}"')
        else:
            self.name = str(folder / "faults.sqlite3")
            self.url = f"sqlite:///{self.name}"

    def _admin(self, sql: str) -> None:
        import psycopg2

        parts = urllib.parse.urlsplit(self.server_url)
        admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        connection = psycopg2.connect(admin)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def query(self, sql: str, *params: Any) -> list[tuple]:
        """Read straight from the database: fast enough to watch a build's progress."""
        if self.postgres:
            import psycopg2

            connection = psycopg2.connect(self.url)
            try:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    return cursor.fetchall()
            finally:
                connection.close()
        import sqlite3

        connection = sqlite3.connect(f"file:{self.name}?mode=ro", uri=True, timeout=5)
        try:
            return connection.execute(sql.replace("%s", "?"), params).fetchall()
        finally:
            connection.close()

    def drop(self) -> None:
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@dataclass
class Stack:
    folder: Path
    redis: RedisServer
    database: Database
    services: list[Service] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,
        )
        if result.returncode:
            raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def agent(self, command: str, **arguments: Any) -> Any:
        result = self.run("-m", "tests.faults.agent", command, json.dumps(arguments))
        return json.loads(result.stdout.strip().splitlines()[-1])

    def start(self, name: str, argv: list[str]) -> Service:
        log = self.folder / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                argv,
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        service = Service(name, process, log)
        self.services.append(service)
        return service

    def worker(self, name: str = "worker", concurrency: int = 1, *, wait: bool = True) -> Service:
        celery = require("celery")
        service = self.start(
            name,
            [celery, "-A", "roi_portal", "worker", "--pool", "prefork"]
            + ["--concurrency", str(concurrency), "--loglevel", "INFO", "-n", f"{name}@%h"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
        )
        if not wait:
            return service
        wait_for(
            lambda: " ready." in service.output() or not service.alive(),
            timeout=60,
            what=f"the Celery worker '{name}' to be ready",
        )
        assert service.alive(), service.output()[-3000:]
        return service

    def web(self) -> tuple[Service, str]:
        gunicorn = require("gunicorn")
        port = free_port()
        service = self.start(
            "web",
            [gunicorn, "roi_portal.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "1", "--timeout", "60", "--access-logfile", "-"],
        )
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            assert service.alive(), service.output()[-3000:]
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
            except urllib.error.HTTPError:
                return True
            except OSError:
                return False
            return True

        wait_for(up, timeout=30, what="gunicorn to answer")
        return service, base

    def stop_all(self) -> None:
        for service in reversed(self.services):
            service.stop(grace=5)
        self.services.clear()

    def mailbox(self) -> list[tuple[str, str]]:
        """(to, subject) of every email sent: the file backend writes each under var/mail."""
        import email
        import email.header

        sent = []
        for path in sorted((self.folder / "var" / "mail").glob("*.log")):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if not chunk.strip():
                    continue
                message = email.message_from_bytes(chunk.lstrip())
                subject = str(
                    email.header.make_header(email.header.decode_header(message["Subject"]))
                )
                sent.append((message["To"], subject))
        return sent

    def logs(self) -> str:
        return "\n".join(f"--- {s.name} (last lines)\n{s.output()[-4000:]}" for s in self.services)


@pytest.fixture(scope="module")
def stack(request, tmp_path_factory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    redis = RedisServer(folder)
    redis.start()
    database = Database(folder, request.module.__name__.rsplit("_", 1)[-1])
    var = folder / "var"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ROI_", "CELERY_", "DJANGO_", "PYTEST_"))
    }
    env.update(
        DATABASE_URL=database.url,
        REDIS_URL=redis.url,
        ROI_VAR_DIR=str(var),
        MEDIA_ROOT=str(var / "media"),
        ROI_TASK_TIME_LIMIT=str(TASK_TIME_LIMIT),
        DJANGO_SETTINGS_MODULE="roi_portal.settings",
        DEBUG="true",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        CELERY_TASK_ALWAYS_EAGER="false",
        DB_CONN_MAX_AGE="0",
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="INFO",
    )
    env.pop("SECRET_KEY", None)
    stack = Stack(folder=folder, redis=redis, database=database, env=env)
    try:
        stack.run("manage.py", "migrate", "--noinput", timeout=300)
        yield stack
    finally:
        stack.stop_all()
        redis.stop()
        database.drop()


@pytest.fixture
def processes(stack: Stack, request) -> Iterator[Stack]:
    """The stack, with every process a test starts stopped when it ends; on failure their logs
    are printed, which is where a fault test's story is."""
    redis_was_up = stack.redis.service is not None
    try:
        yield stack
    finally:
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            print(stack.logs())
        stack.stop_all()
        if stack.redis.service is None:
            if redis_was_up:
                stack.redis.start()
        else:
            stack.redis.wait_unpaused()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):  # noqa: ANN001, ANN201
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


class Browser:
    """A browser without JavaScript: cookies, CSRF token, no redirect following (the tests
    look at each 302), and the time every answer took."""

    def __init__(self, base: str, session_cookie: str = "") -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        host = urllib.parse.urlsplit(base).hostname
        if session_cookie:
            self.jar.set_cookie(_cookie("sessionid", session_cookie, host))

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def _csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, method: str, path: str, data: dict | None = None) -> Answer:
        url = path if path.startswith("http") else self.base + path
        body = None
        headers = {"User-Agent": "roi-faults/1.0"}
        if method == "POST":
            fields = {"csrfmiddlewaretoken": self._csrf(), **(data or {})}
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            headers["X-CSRFToken"] = self._csrf()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        try:
            response = self.opener.open(
                urllib.request.Request(url, data=body, headers=headers, method=method), timeout=30
            )
        except urllib.error.HTTPError as error:
            response = error
        with response:
            text = response.read().decode(errors="replace")
        return Answer(response.status, response.headers.get("Location", ""), text, started)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, data: dict | None = None) -> Answer:
        return self.request("POST", path, data)


@dataclass
class Answer:
    status: int
    location: str
    text: str
    started: float
    seconds: float = 0.0

    def __post_init__(self) -> None:
        self.seconds = time.monotonic() - self.started


def _cookie(name: str, value: str, host: str | None) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        0, name, value, None, False, host or "127.0.0.1", False, False, "/", True, False,
        None, False, None, None, {},
    )  # fmt: skip


PATIENT = {
    "first_name": "María",
    "last_name": "García",
    "date_of_birth": "1980-02-29",
    "phone": "626-555-0100",
    "address": "1 Main St\nDuarte, CA 91010",
}


def wizard_until_review(browser: Browser, start: str, entity: int) -> str:
    """The portal wizard over HTTP, every step as a patient answers it; returns the review
    step's path. Each step must send the patient on to the next."""
    browser.get(start)  # the CSRF cookie, as a browser gets it from the page
    answer = browser.post(start)
    assert answer.status == 302, (answer.status, answer.text[:500])
    step = urllib.parse.urlsplit(answer.location).path
    base = step.rsplit("/", 2)[0]
    steps = [
        ("whose", {"choice": "self"}),
        ("patient", PATIENT),
        ("where", {"place": f"entity:{entity}"}),
        (
            "records",
            {
                "types": ["lab_results", "billing"],
                "rows_lab_results": "1",
                "from_lab_results_0": "2025-01-01",
                "to_lab_results_0": "2025-06-30",
                "sensitive": "no",
            },
        ),
        ("delivery", {"method": "portal"}),
        ("uploads", {}),
    ]
    for slug, data in steps:
        answer = browser.post(f"{base}/{slug}/", data)
        assert answer.status == 302, (slug, answer.status, answer.text[:800])
    assert answer.location.rstrip("/").endswith("/review"), answer.location
    return f"{base}/review/"


def sign(browser: Browser, review: str) -> Answer:
    return browser.post(review, {"signature_name": "María García", "attest": "on"})
