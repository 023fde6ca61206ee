import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

# Real exports written by others (WordPress, Disqus, Isso, spam corpora, hostile strings) are read
# where they lie and never copied into the project. By default that is the "data" folder of the
# "shared" checkout next to this one; PNYX_SHARED_DATA points elsewhere.
SHARED_DATA = Path(os.environ.get("PNYX_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
SHARED_DATA_MISSING = (
    f"real-world export files not found at {SHARED_DATA} (set PNYX_SHARED_DATA or clone beside shared/)"
)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real exports: a test that reads them skips without it, except under CI, where
    a missing folder must not turn a third of the porting tests into silent skips."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI"):
            pytest.fail(SHARED_DATA_MISSING, pytrace=False)
        pytest.skip(SHARED_DATA_MISSING)
    return SHARED_DATA


def pytest_terminal_summary(terminalreporter):
    """Say once why the real-export tests were skipped, however many they were and whatever -r says."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if SHARED_DATA_MISSING in str(r.longrepr)]
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} skipped: {SHARED_DATA_MISSING}")


@pytest.fixture
def select_compiles():
    """The models of the SELECTs Django compiled to SQL since the test began (``pnyx.precompiled``)."""
    from unittest import mock

    from django.db.models.sql.compiler import SQLCompiler

    calls = []
    original = SQLCompiler.as_sql

    def counted(self, *args, **kwargs):
        calls.append(self.query.model)
        return original(self, *args, **kwargs)

    with mock.patch.object(SQLCompiler, "as_sql", counted):
        yield calls


@pytest.fixture(scope="session")
def _media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session", autouse=True)
def _frame_links_follow_the_settings():
    """The frame's links are worked out once per process (``blog.context_processors.links_for``), as
    settings never change in a running site; in tests they do (a static storage, a URL), and with them
    the links."""
    from django.core.signals import setting_changed

    from pnyx.blog.context_processors import links_for

    def forget(**kwargs) -> None:
        links_for.cache_clear()

    setting_changed.connect(forget, weak=False, dispatch_uid="tests.frame_links")
    yield
    setting_changed.disconnect(dispatch_uid="tests.frame_links")


@pytest.fixture(autouse=True)
def _media_in_a_temporary_dir(settings, _media_dir):
    """Uploaded images land in one directory of the test session, never in the data dir."""
    settings.MEDIA_ROOT = _media_dir


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render templates without running collectstatic, so no manifest of hashed names."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


class _Inbox:
    """What a real SMTP server (aiosmtpd, on loopback) received.

    ``messages`` first runs the task worker (when the inbox has one), as a reader would wait for the
    mail; ``received`` is what arrived so far, without running anything.
    """

    def __init__(self):
        self.received = []
        self.peers = []  # the client's (address, port) for each mail received: one per connection
        self.worker = None
        self.refuse: set[str] = set()  # addresses the server answers "550 no such user"

    @property
    def messages(self) -> list:
        if self.worker is not None:
            self.worker.run()
        return self.received


class _Handler:
    """aiosmtpd's handler (kept apart from the inbox: aiosmtpd looks through its handler's attributes)."""

    def __init__(self, inbox: _Inbox):
        self.inbox = inbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.inbox.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        from email import message_from_bytes, policy

        self.inbox.received.append(message_from_bytes(envelope.content, policy=policy.default))
        self.inbox.peers.append(session.peer)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp(port: int):
    """A real SMTP server (aiosmtpd) on ``port``: (its controller, its inbox)."""
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


@pytest.fixture
def smtp_port(settings) -> int:
    """A free loopback port with Django's SMTP backend pointed at it, and nothing listening yet."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    return port


@pytest.fixture
def smtp_server(smtp_port, mail_worker):
    """A real SMTP server on a free loopback port, with Django's SMTP backend pointed at it. Its
    ``messages`` are what arrived once the task worker sent everything due (``mail_worker``)."""
    controller, inbox = start_smtp(smtp_port)
    inbox.worker = mail_worker
    yield inbox
    controller.stop()


@pytest.fixture(autouse=True)
def _tasks_in_the_database(settings):
    """Tasks go through the database backend unless a test asks for RQ (``rq_tasks``): with REDIS_URL set,
    the site would choose RQ, and one Redis shared by parallel test processes is no place for every test."""
    settings.PNYX_TASKS = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _notices_at_once(settings):
    """The notice task starts as soon as it is queued, so that a test's worker run finds it due; the
    shipped delay (``PNYX_NOTICE_DELAY``) is tested in tests/discussion/test_notices.py."""
    settings.PNYX_NOTICE_DELAY = 0


@pytest.fixture
def rq_tasks(settings):
    """Tasks through RQ on the Redis of REDIS_URL (skipped without it), as the settings configure it: on
    the cache's connections. One test at a time across the parallel test processes, since they share
    the queue."""
    import redis

    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: the RQ task backend needs a Redis")
    connection = redis.Redis.from_url(url)
    with connection.lock("pnyx-tests-rq", timeout=300, blocking_timeout=300):
        settings.PNYX_TASKS = "redis"
        settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
        import django_rq

        queue = django_rq.get_queue("default")
        queue.empty()
        for job_id in queue.scheduled_job_registry.get_job_ids():
            queue.scheduled_job_registry.remove(job_id, delete_job=True)
        yield queue


@pytest.fixture(params=["database", "redis"])
def task_backend(request) -> str:
    """The test runs on the database task backend, then on RQ (skipped without REDIS_URL)."""
    if request.param == "redis":
        request.getfixturevalue("rq_tasks")
    return request.param


class _Worker:
    """The task worker, run in this process: ``run()`` does every task that is due, then returns."""

    def run(self) -> None:
        from django.conf import settings

        if settings.PNYX_TASKS == "redis":
            import django_rq
            from rq.worker import SimpleWorker

            worker = django_rq.get_worker("default", worker_class=SimpleWorker, job_class="django_tasks_rq.Job")
            worker.work(burst=True, with_scheduler=True)
        else:
            from django_tasks_db.management.commands.db_worker import Worker

            Worker(
                queue_names=["*"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id="tests",
                excluded_queue_names=[],
            ).run()

    def run_until(self, done, *, timeout: float = 30) -> None:
        """Run what is due again and again (retries come due later) until ``done()`` or ``timeout``."""
        import time

        deadline = time.monotonic() + timeout
        while True:
            self.run()
            if done():
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"still not done after {timeout} s")
            time.sleep(0.2)


@pytest.fixture
def mail_worker() -> _Worker:
    return _Worker()


@pytest.fixture(autouse=True)
def _login_choices_known(request, django_db_blocker):
    """Each test starts like a site that has served a page: the login icons it offers are known (a query
    per process every few minutes, ``pnyx.identity.providers``), and none from another test's apps. A
    test without the database renders no page and needs none."""
    from pnyx.identity import providers

    providers.forget_choices()
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            providers.choices(None)


@pytest.fixture
def oidc_provider():
    """A real OpenID Connect provider on a free loopback port (tests/identity/oidc.py)."""
    from tests.identity.oidc import serve

    provider, server = serve()
    yield provider
    server.shutdown()
    server.server_close()


@pytest.fixture
def oidc_app(oidc_provider):
    """The provider configured as allauth's ``openid_connect`` app "Loopback ID", as an operator would in the
    admin (Social applications), with PKCE."""
    from allauth.socialaccount.models import SocialApp

    return SocialApp.objects.create(
        provider="openid_connect",
        provider_id="loopback",
        name="Loopback ID",
        client_id=oidc_provider.client_id,
        secret=oidc_provider.secret,
        settings={"server_url": oidc_provider.url, "oauth_pkce_enabled": True},
    )


@pytest.fixture
def wordpress_server():
    """A server on loopback that speaks as WordPress.com's OAuth 2 and /me do (tests/identity/oauth2.py)."""
    from tests.identity.oauth2 import serve

    state, server = serve("wordpress")
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def wordpress_app(wordpress_server):
    """WordPress.com configured in the admin, with the credentials its developer console would give, pointed
    at the loopback server."""
    from allauth.socialaccount.models import SocialApp

    client_id, secret = wordpress_server.add_app()
    return SocialApp.objects.create(
        provider="wordpress_com",
        name="WordPress.com",
        client_id=client_id,
        secret=secret,
        settings={"api_url": wordpress_server.url},
    )


@pytest.fixture
def mastodon_server():
    """A Mastodon server on loopback: app registration, OAuth 2, verify_credentials (tests/identity/oauth2.py)."""
    from tests.identity.oauth2 import serve

    state, server = serve("mastodon")
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def mastodon_on(settings):
    """Mastodon switched on, with a server on this machine allowed (tests only), no names typed yet."""
    from allauth.core import ratelimit
    from django.test import RequestFactory

    from pnyx.identity import providers

    # The servers a reader may name are limited per minute and address (allauth's rate limits): the test
    # client's address starts afresh. (Not the whole cache: with Redis, the other test process uses it.)
    ratelimit.clear(RequestFactory().post("/"), action="mastodon_instance")
    settings.PNYX_LOGIN_MASTODON = True
    settings.PNYX_LOGIN_MASTODON_LOOPBACK = True
    providers.forget_choices()
    yield
    providers.forget_choices()


DEFAULT_RATE_LIMITS = "5/m/ip,30/h/ip,200/d/ip,3/m/identity,20/h/identity,30/m/post"
"""The shipped limits (pnyx/settings.py), which tests/discussion/test_rules.py checks."""


@pytest.fixture(autouse=True)
def _roomy_rate_limits(settings):
    """Most tests post many comments from one address within a second; the rate limits would refuse
    them. Those tests are about something else: the limits have their own (``test_rules``)."""
    settings.PNYX_COMMENT_RATE_LIMITS = "10000/m/ip"


@pytest.fixture(autouse=True)
def _moderation_settings_forgotten():
    """Each test starts from the settings in its own database: a revision another test saved (and rolled
    back) must not stay in a shared cache or in this process."""
    from pnyx.discussion.rulebook import forget

    forget()


class PrivateRedis:
    """A redis-server on a free port that keeps nothing on disk, to be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=1).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def private_redis():
    """A Redis of the test's own, which it may stop and start again (the shared one serves other tests)."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed, and CI needs these tests")
        pytest.skip("redis-server is not installed: the tests that stop a Redis of their own need it")
    server = PrivateRedis()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()
