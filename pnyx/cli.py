"""The ``pnyx`` command: Django's management commands with pnyx's settings preset.

``pnyx serve``, ``pnyx demo``, ``pnyx backup`` and the rest are management commands of pnyx's own apps.
``pnyx help`` puts the few an operator needs first and Django's developer commands apart, and what an
operator can fix (an unreachable database, a closed pipe) is said in one line instead of a traceback.
"""

import os
import re
import select
import signal
import sys
import textwrap
from importlib.metadata import version

# What running a site takes, in the order an operator meets it; a name missing from this
# installation (``worker`` before there is one) is left out of ``pnyx help``.
OPERATOR_COMMANDS = (
    "serve",
    "demo",
    "import",
    "export",
    "backup",
    "restore",
    "migrate",
    "createsuperuser",
    "check",
    "worker",
)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pnyx.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    # Settings are loaded here, before any command (help too): a bad variable stops every command at start
    # with one line, where Django would print a traceback or, for some commands, go on without them.
    try:
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as error:
        print(f"pnyx: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    args = sys.argv[1:]
    if args in (["--version"], ["version"]):
        print(f"pnyx {version('pnyx')}")
    elif args in ([], ["help"], ["-h"], ["--help"]):
        print(help_text())
    else:
        run(sys.argv)


def help_text() -> str:
    """``pnyx help``: the operator's commands with what each does, then Django's, only named."""
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    commands = get_commands()
    mine = [name for name in OPERATOR_COMMANDS if name in commands]
    width = max(map(len, mine))
    lines = [
        f"pnyx {version('pnyx')}. Usage: pnyx COMMAND [options]; pnyx help COMMAND for its options.",
        "",
        "Running a site:",
    ]
    for name in mine:
        lines.append(f"  {name:<{width}}  {_first_sentence(load_command_class(commands[name], name).help)}")
    others = " ".join(sorted(set(commands) - set(mine)))
    lines += [
        "",
        "Django's developer commands:",
        textwrap.fill(others, 100, initial_indent="  ", subsequent_indent="  "),
    ]
    return "\n".join(lines)


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=\.)\s+(?=[A-Z])", text.strip(), maxsplit=1)[0]


def run(argv: list[str]) -> None:
    """Run one management command; what the operator can fix is one line on stderr, not a traceback.

    ``--traceback`` still shows the whole story.
    """
    from django.core.management import execute_from_command_line
    from django.db import InterfaceError, OperationalError, connection

    try:
        execute_from_command_line(argv)
        sys.stdout.flush()  # here, not at exit, so that a reader gone by now lands in the except below
    except (OperationalError, InterfaceError) as error:
        # A connection that was never made is the operator's to fix (a server down, a wrong address or
        # password); a query that failed on a working connection is a bug and keeps its traceback.
        if connection.connection is not None or "--traceback" in argv:
            raise
        sys.exit(f"pnyx: cannot reach the database {database_address()}: {_reason(error)}")
    except BrokenPipeError:
        # `pnyx export | head -1`: the reader has all it wanted. Leave as a program killed by SIGPIPE
        # would, without Python's second complaint when it flushes stdout on the way out.
        if not _stdout_reader_gone():
            raise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(128 + signal.SIGPIPE)


def database_address() -> str:
    """Where the default database is, for a message: a file, or vendor://user@host:port/name, never the password."""
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(params["NAME"])
    user = f"{params['USER']}@" if params.get("USER") else ""
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"{connection.vendor}://{user}{params.get('HOST') or 'localhost'}{port}/{params['NAME']}"


def _reason(error: Exception) -> str:
    from django.db import connection

    reason = (str(error).strip() or type(error).__name__).splitlines()[0]
    if password := connection.settings_dict.get("PASSWORD"):
        reason = reason.replace(password, "***")
    return reason


def _stdout_reader_gone() -> bool:
    """Whether stdout is a pipe whose reading end is closed (and not some other socket that broke)."""
    poller = select.poll()
    poller.register(sys.stdout.fileno(), select.POLLOUT)
    return any(events & select.POLLERR for _, events in poller.poll(0))


if __name__ == "__main__":
    main()
