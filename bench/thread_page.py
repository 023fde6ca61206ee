"""How long a post page takes to render cold (no page cache), and how many SQL queries it costs.

A page renders from a fixed number of indexed queries whatever the thread's length (tests assert it);
this prints the time, so a regression in the layout or the HTML assembly shows as a number. Rows:

- a seed-like post (8 comments, as in ``pnyx demo``);
- posts of 100 and 1,000 comments shown whole on one page (``PNYX_COMMENTS_PER_PAGE`` set high);
- a 20,000-comment post, paged as configured: its first page, a middle one and the last.

    .venv/bin/python bench/thread_page.py [--comments 8 100 1000] [--huge 20000] [--repeat 20]

"cpu ms" is the process's CPU time per render (the median), which a machine busy with other work
disturbs less than the wall-clock figures. It works in a temporary data dir (SQLite), removed at the
end, unless DATABASE_URL is set. Comments are inserted through ``CommentBatch`` (the importers' way in), one in
three a top-level comment, each followed by two replies within its family (nested or not).
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
    parser.add_argument("--comments", type=int, nargs="+", default=[8, 100, 1000])
    parser.add_argument("--huge", type=int, default=20_000, help="comments in the paged post (0: none)")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pnyx-bench-") as scratch:
        os.environ.setdefault("PNYX_DATA_DIR", scratch)
        run(args)


def run(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ["PNYX_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pnyx.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from pnyx.blog.models import Post
    from pnyx.discussion.models import Comment
    from pnyx.discussion.posting import CommentBatch

    def seeded(count: int) -> Post:
        post = Post.objects.create(
            title=f"Thread of {count}", slug=f"bench-{count}-{time.time_ns()}", status=Post.Status.PUBLISHED
        )
        batch, family = CommentBatch(), []
        for n in range(count):
            comment = Comment(
                thread=post.thread,
                parent=family[n % len(family)] if family and n % 3 else None,
                author_name=f"Reader {n}",
                author_email=f"r{n}@example.org",
                author_url=f"https://r{n}.example.org/" if n % 4 == 0 else "",
                body=f"Comment {n}: a paragraph of ordinary length, with a link https://example.org/{n}.",
                status=Comment.Status.APPROVED,
            )
            batch.add(comment)
            family = [*family, comment] if n % 3 else [comment]
        batch.finish()
        return post

    def measure(label: str, url: str) -> None:
        client, timings, cpu = Client(), [], []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        timings.sort()
        shown = response.content.count(b'class="comment-body"')
        print(
            f"{label:>24} {statistics.median(timings):>10.1f} {timings[int(len(timings) * 0.9) - 1]:>8.1f}"
            f" {statistics.median(cpu):>7.1f}"
            f" {len(queries.captured_queries):>8} {shown:>9}"
            f" {len(response.content) / 1024:>7.0f}"
        )

    call_command("migrate", verbosity=0)
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # else WhiteNoise warns that it is missing
    per_page = getattr(settings, "PNYX_COMMENTS_PER_PAGE", None)
    print(f"database: {connection.vendor}; each figure is the median of {args.repeat} renders")
    print(f"{'post':>24} {'median ms':>10} {'p90 ms':>8} {'cpu ms':>7} {'queries':>8} {'comments':>9} {'KiB':>7}")
    # No collectstatic here: plain static names (the images' storage, "default", stays as configured).
    static = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES={**settings.STORAGES, **static}):
        for count in args.comments:
            url = seeded(count).get_absolute_url()
            with override_settings(PNYX_COMMENTS_PER_PAGE=10**6):
                measure(f"{count}, one page", url)
        if args.huge:
            post = seeded(args.huge)
            top_level = post.thread.comments.filter(parent=None).count()
            pages = -(-top_level // per_page) if per_page else 1
            for label, number in [("page 1", 1), ("middle page", pages // 2 + 1), ("last page", pages)]:
                query = f"?cpage={number}" if number > 1 else ""
                measure(f"{args.huge}, {label} of {pages}", post.get_absolute_url() + query)


if __name__ == "__main__":
    main()
