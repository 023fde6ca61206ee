"""How long a post page takes to render as its thread grows, and how many SQL queries it costs.

The thread is laid out from one indexed query whatever its length (tests assert the query count);
this prints the time it takes, so a regression in the template or the layout shows as a number.

    .venv/bin/python bench/thread_page.py [--comments 10 100 1000] [--repeat 20]

It works in a temporary data dir (SQLite) unless DATABASE_URL is set.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("PNYX_DATA_DIR", tempfile.mkdtemp(prefix="pnyx-bench-"))
    os.environ["PNYX_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pnyx.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from pnyx.blog.models import Post
    from pnyx.discussion.models import Comment, Thread
    from pnyx.discussion.posting import CommentBatch

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; each figure is the median of {args.repeat} renders")
    print(f"{'comments':>9} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'KiB':>7}")
    for count in args.comments:
        post = Post.objects.create(
            title=f"Thread of {count}", slug=f"bench-{count}-{time.time_ns()}", status=Post.Status.PUBLISHED
        )
        thread = Thread.objects.for_post(post)
        batch = CommentBatch()
        parents: list[Comment] = []
        for n in range(count):
            parent = parents[n % len(parents)] if parents and n % 3 else None
            comment = Comment(
                thread=thread,
                parent=parent,
                author_name=f"Reader {n}",
                author_email=f"r{n}@example.org",
                body=f"Comment {n}: a paragraph of ordinary length, with a link https://example.org/{n}.",
                status=Comment.Status.APPROVED,
                status_reason="bench",
            )
            batch.add(comment)
            if len(parents) < count // 5 + 1:
                parents.append(comment)
        batch.finish()
        client = Client()
        url = post.get_absolute_url()
        timings = []
        with override_settings(
            STORAGES={"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        ):
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as queries:
                    start = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        print(
            f"{count:>9} {statistics.median(timings):>10.1f} {timings[int(len(timings) * 0.9) - 1]:>8.1f}"
            f" {len(queries.captured_queries):>8} {len(response.content) / 1024:>7.0f}"
        )


if __name__ == "__main__":
    main()
