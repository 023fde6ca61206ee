"""A client for SpamAssassin's ``spamd``: the SPAMC/1.5 protocol over TCP.

The comment travels as a small mail message (``message_of``) so SpamAssassin's rules on headers, links
and text all apply. One CHECK request per comment: ``spamd`` answers with ``Spam: True ; 15.2 / 5.0``.
"""

import socket
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from . import Answer, EngineDown

PROTOCOL = "SPAMC/1.5"


def message_of(*, name: str, email: str, url: str, ip: str | None, body: str, title: str, when) -> bytes:
    """The comment as the mail SpamAssassin is made to read: its author, address, website and text."""
    message = EmailMessage()
    message["From"] = formataddr((name, email or "anonymous@invalid"))
    message["To"] = "comments@invalid"
    message["Subject"] = f"Comment on {title}"[:200]
    message["Date"] = format_datetime(when)
    if ip:
        message["Received"] = f"from [{ip}] by pnyx with HTTP; {format_datetime(when)}"
    message.set_content(f"{body}\n\n{url}\n" if url else f"{body}\n")
    return message.as_bytes()


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def check(message: bytes, *, host: str, port: int, timeout: float, user: str = "pnyx") -> Answer:
    """Ask ``spamd`` whether ``message`` is spam; EngineDown if it cannot be reached or answers wrong."""
    request = f"CHECK {PROTOCOL}\r\nContent-length: {len(message)}\r\nUser: {user}\r\n\r\n".encode("ascii") + message
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(request)
            sock.shutdown(socket.SHUT_WR)
            reply = _read_all(sock)
    except OSError as error:  # refused, unreachable, timed out
        raise EngineDown(f"spamd at {host}:{port}: {error or type(error).__name__}") from error
    return parse_reply(reply)


def parse_reply(reply: bytes) -> Answer:
    """``SPAMD/1.1 0 EX_OK`` then a ``Spam: True ; 15.2 / 5.0`` header."""
    head = reply.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    status = lines[0].split(None, 2)
    if len(status) < 2 or not status[0].startswith("SPAMD/") or status[1] != "0":
        raise EngineDown(f"spamd answered {lines[0][:80]!r}")
    for line in lines[1:]:
        name, _sep, value = line.partition(":")
        if name.strip().lower() == "spam":
            verdict, _sep, scores = value.partition(";")
            is_spam = verdict.strip().lower() in ("true", "yes")
            score = " ".join(scores.split())
            return Answer(spam=is_spam, detail=f"SpamAssassin score {score}")
    raise EngineDown("spamd's answer had no Spam header")
