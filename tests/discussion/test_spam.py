import shutil
import socket
import subprocess
import threading
import time

import pytest

from pnyx.discussion.models import Comment, ModerationSettings
from pnyx.discussion.moderation import comment_approve, comment_spam
from pnyx.discussion.posting import Client, post_comment
from pnyx.discussion.spam import EngineDown, spamd
from pnyx.identity.commenter import Commenter
from tests.conftest import free_port
from tests.discussion.akismet_server import GUARANTEED_SPAM
from tests.discussion.akismet_server import serve as serve_akismet
from tests.factories import CommentFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

# SpamAssassin's test string: every SpamAssassin scores it as spam, with no network and no training.
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


@pytest.fixture(scope="session")
def spamd_port(tmp_path_factory):
    """A real spamd (Debian's ``spamd`` package, SpamAssassin's daemon) on a free loopback port."""
    if shutil.which("spamd") is None:
        pytest.skip("spamd is not installed (as root: apt-get install spamd); the spamd tests need a real one")
    port, folder = free_port(), tmp_path_factory.mktemp("spamd")
    command = ["spamd", f"--listen=127.0.0.1:{port}", "--allowed-ips=127.0.0.1", "--min-children=1"]
    command += ["--max-children=2", "--nouser-config", "--syslog=stderr", f"--pidfile={folder / 'pid'}"]
    if shutil.os.geteuid() == 0:
        command += ["-u", "nobody"]
    log = (folder / "log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=log)
    deadline = time.monotonic() + 90  # loading SpamAssassin's rules takes seconds on a busy machine
    while (
        b"server started" not in (folder / "log").read_bytes()
        and b"child states: I" not in (folder / "log").read_bytes()
    ):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"spamd did not start: {(folder / 'log').read_text()[-500:]}")
        time.sleep(0.3)
    yield port
    process.terminate()
    process.wait(10)
    log.close()


@pytest.fixture
def akismet():
    service, server = serve_akismet()
    yield service
    server.shutdown()
    server.server_close()


def _settings(**values) -> ModerationSettings:
    config = ModerationSettings.load()
    for name, value in values.items():
        setattr(config, name, value)
    config.full_clean()
    config.save()
    return config


def _use_akismet(service, **values) -> None:
    _settings(akismet_enabled=True, akismet_endpoint=service.url, akismet_key=service.key, **values)


def _post(post, commenter=None, body="I liked the part about the harbour.", ip="198.51.100.7"):
    commenter = commenter or Commenter(name="Robin", email="robin@example.org")
    client = Client(ip=ip, user_agent="Mozilla/5.0 (test)")
    return post_comment(thread=post.thread, parent=None, commenter=commenter, body=body, client=client)


# SpamAssassin


def test_spamd_marks_spamassassins_test_message_as_spam(spamd_port):
    _settings(spamd_enabled=True, spamd_port=spamd_port, engine_timeout=20)
    outcome = _post(PostFactory(), body=f"Great post. {GTUBE}")
    assert outcome.comment.status == Comment.Status.SPAM
    assert outcome.comment.status_reason.startswith("SpamAssassin score 1")


def test_spamd_lets_an_ordinary_comment_through_to_the_other_rules(spamd_port):
    _settings(spamd_enabled=True, spamd_port=spamd_port, engine_timeout=20)
    outcome = _post(PostFactory(), body="I walked that harbour last summer; the light is exactly as you say.")
    assert outcome.comment.status == Comment.Status.PENDING
    assert "first comment" in outcome.comment.status_reason


def test_spamd_not_running_holds_the_comment_and_says_so():
    _settings(spamd_enabled=True, spamd_port=free_port())
    outcome = _post(PostFactory())
    assert outcome.comment.status == Comment.Status.PENDING
    assert outcome.comment.status_reason.startswith("SpamAssassin did not answer, held: spamd at 127.0.0.1:")
    assert Comment.objects.filter(pk=outcome.comment.pk).exists()


def test_a_spamd_that_never_answers_holds_the_comment_after_the_timeout():
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    try:
        _settings(spamd_enabled=True, spamd_port=listener.getsockname()[1], engine_timeout=0.5)
        started = time.monotonic()
        outcome = _post(PostFactory())
        assert time.monotonic() - started < 5
    finally:
        listener.close()
    assert outcome.comment.status == Comment.Status.PENDING
    assert "timed out" in outcome.comment.status_reason


@pytest.mark.parametrize(
    ("reply", "spam", "detail"),
    [
        (b"SPAMD/1.1 0 EX_OK\r\nSpam: True ; 15.2 / 5.0\r\n\r\n", True, "SpamAssassin score 15.2 / 5.0"),
        (b"SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\nSpam: False ; 1.0 / 5.0\r\n\r\n", False, "score 1.0 / 5.0"),
    ],
)
def test_spamds_answer_is_read(reply, spam, detail):
    answer = spamd.parse_reply(reply)
    assert answer.spam is spam and detail in answer.detail


@pytest.mark.parametrize("reply", [b"SPAMD/1.0 76 Bad header line: x\r\n\r\n", b"", b"HTTP/1.1 200 OK\r\n\r\n"])
def test_a_spamd_error_or_a_stranger_is_an_engine_down(reply):
    with pytest.raises(EngineDown):
        spamd.parse_reply(reply)


# Akismet


def test_akismet_marks_its_guaranteed_spam_as_spam_and_is_told_everything_it_needs(akismet, settings):
    settings.PNYX_BASE_URL = "https://blog.example.org"
    _use_akismet(akismet)
    post = PostFactory()
    outcome = _post(post, Commenter(name=GUARANTEED_SPAM, email="x@example.org", url="https://x.example"))
    assert outcome.comment.status == Comment.Status.SPAM
    assert outcome.comment.status_reason == "Akismet: spam (blatant)"
    (sent,) = akismet.calls_to("comment-check")
    assert sent["blog"] == "https://blog.example.org"
    assert sent["permalink"] == "https://blog.example.org" + post.get_absolute_url()
    assert (sent["user_ip"], sent["user_agent"], sent["comment_type"]) == (
        "198.51.100.7",
        "Mozilla/5.0 (test)",
        "comment",
    )
    assert sent["comment_content"] == "I liked the part about the harbour."
    assert sent["comment_author_url"] == "https://x.example"


def test_a_comment_akismet_passes_goes_on_to_the_other_rules(akismet):
    _use_akismet(akismet)
    post = PostFactory()
    earlier = CommentFactory(post=post, author_name="Robin", author_email="robin@example.org")
    outcome = _post(post, Commenter(name="Robin", email="robin@example.org", written=[earlier.pk]))
    assert outcome.comment.status == Comment.Status.APPROVED
    assert len(akismet.calls_to("comment-check")) == 1


def test_staff_comments_are_not_sent_to_akismet(akismet):
    _use_akismet(akismet)
    _post(PostFactory(), Commenter(user=UserFactory(is_staff=True)))
    assert akismet.calls == []


def test_a_wrong_akismet_key_holds_the_comment_with_akismets_explanation(akismet):
    _settings(akismet_enabled=True, akismet_endpoint=akismet.url, akismet_key="wrong")
    outcome = _post(PostFactory())
    assert outcome.comment.status == Comment.Status.PENDING
    assert outcome.comment.status_reason == "Akismet did not answer, held: Akismet did not judge: Invalid API key."


def test_a_slow_akismet_holds_the_comment_after_the_timeout(akismet):
    akismet.delay = 3
    _use_akismet(akismet, engine_timeout=0.5)
    started = time.monotonic()
    outcome = _post(PostFactory())
    assert time.monotonic() - started < 2.5
    assert outcome.comment.status == Comment.Status.PENDING
    assert outcome.comment.status_reason.startswith("Akismet did not answer, held:")


def test_akismet_unreachable_holds_the_comment():
    _settings(akismet_enabled=True, akismet_endpoint=f"http://127.0.0.1:{free_port()}/1.1/", akismet_key="k")
    outcome = _post(PostFactory())
    assert (
        outcome.comment.status == Comment.Status.PENDING and "Akismet did not answer" in outcome.comment.status_reason
    )


def test_akismet_without_a_key_is_refused_by_the_settings_form():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="API key"):
        _settings(akismet_enabled=True, akismet_key="")


def test_a_moderator_marking_spam_what_akismet_passed_teaches_akismet(akismet, django_capture_on_commit_callbacks):
    _use_akismet(akismet)
    outcome = _post(PostFactory(), body="Nice. Visit my pharmacy.")
    moderator = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        comment_spam(comment=outcome.comment, moderator=moderator)
    (told,) = akismet.calls_to("submit-spam")
    assert told["comment_content"] == "Nice. Visit my pharmacy." and told["user_ip"] == "198.51.100.7"
    assert akismet.calls_to("submit-ham") == []


def test_a_moderator_rescuing_what_akismet_called_spam_teaches_akismet(akismet, django_capture_on_commit_callbacks):
    _use_akismet(akismet)
    outcome = _post(PostFactory(), body="I disagree: viagra-test-123 is a fine name for a boat.")
    assert outcome.comment.status == Comment.Status.SPAM
    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=outcome.comment, moderator=UserFactory(is_staff=True))
    assert len(akismet.calls_to("submit-ham")) == 1
    assert akismet.calls_to("submit-spam") == []


def test_moderating_between_held_and_approved_tells_akismet_nothing(akismet, django_capture_on_commit_callbacks):
    _use_akismet(akismet)
    outcome = _post(PostFactory())
    with django_capture_on_commit_callbacks(execute=True):
        comment_approve(comment=outcome.comment, moderator=UserFactory(is_staff=True))
    assert [name for name, _fields in akismet.calls] == ["comment-check"]


def test_akismet_being_down_when_told_never_undoes_the_moderators_change(django_capture_on_commit_callbacks):
    comment = CommentFactory(status="approved")
    _settings(akismet_enabled=True, akismet_endpoint=f"http://127.0.0.1:{free_port()}/1.1/", akismet_key="k")
    with django_capture_on_commit_callbacks(execute=True):
        comment_spam(comment=comment, moderator=UserFactory(is_staff=True))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM


def test_a_lesson_akismet_refuses_is_an_error_for_the_log(akismet):
    from pnyx.discussion.spam.akismet import Akismet

    Akismet(endpoint=akismet.url, key=akismet.key, blog="https://b.example").submit_ham({"user_ip": "1.2.3.4"})
    with pytest.raises(EngineDown, match="Invalid API key"):
        Akismet(endpoint=akismet.url, key="wrong", blog="https://b.example").submit_spam({"user_ip": "1.2.3.4"})
