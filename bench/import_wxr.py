"""How fast, and in how little memory, ``pnyx import`` takes a big WordPress export.

Generates a WXR file (by default 10,000 posts and 100,000 comments, a third of them replies), imports
it with ``pnyx import`` in a child process on a fresh SQLite data dir, and prints comments per second
and the child's peak RSS. The issue's bar: under 300 MB.

    python bench/import_wxr.py                      # the full size, a few minutes
    python bench/import_wxr.py --posts 50 --comments 500
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><link>https://bench.example</link><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://bench.example</wp:base_site_url><wp:base_blog_url>https://bench.example</wp:base_blog_url>
<wp:author><wp:author_id>1</wp:author_id><wp:author_login>writer</wp:author_login>
<wp:author_email>writer@bench.example</wp:author_email></wp:author>
<wp:category><wp:term_id>1</wp:term_id><wp:category_nicename>notes</wp:category_nicename>
<wp:category_parent></wp:category_parent><wp:cat_name>Notes</wp:cat_name></wp:category>
"""

_BODY = "A paragraph of the post, long enough to look like writing.\n" * 6 + "\nAnd a second paragraph."


def write_wxr(path: Path, *, posts: int, comments: int) -> None:
    """A WXR file with ``comments`` spread evenly over ``posts``; every third comment answers the one before."""
    per_post, extra = divmod(comments, posts)
    comment_id = 0
    with path.open("w", encoding="utf-8") as f:
        f.write(_HEAD)
        for n in range(1, posts + 1):
            day = f"2015-{(n % 12) + 1:02d}-{(n % 28) + 1:02d}"
            f.write(
                f"<item><title>Post number {n}</title><link>https://bench.example/{day}/post-{n}/</link>"
                f"<dc:creator>writer</dc:creator><content:encoded><![CDATA[{_BODY}]]></content:encoded>"
                f"<excerpt:encoded><![CDATA[]]></excerpt:encoded><wp:post_id>{n}</wp:post_id>"
                f"<wp:post_date>{day} 10:00:00</wp:post_date><wp:post_date_gmt>{day} 09:00:00</wp:post_date_gmt>"
                f"<wp:comment_status>open</wp:comment_status><wp:post_name>post-{n}</wp:post_name>"
                "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
                '<category domain="category" nicename="notes"><![CDATA[Notes]]></category>\n'
            )
            for k in range(per_post + (1 if n <= extra else 0)):
                comment_id += 1
                parent = comment_id - 1 if k % 3 == 2 else 0
                f.write(
                    f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                    f"<wp:comment_author><![CDATA[Reader {comment_id % 997}]]></wp:comment_author>"
                    f"<wp:comment_author_email>r{comment_id % 997}@example.org</wp:comment_author_email>"
                    "<wp:comment_author_url></wp:comment_author_url>"
                    f"<wp:comment_author_IP>192.0.2.{comment_id % 250}</wp:comment_author_IP>"
                    f"<wp:comment_date>{day} 11:{k % 60:02d}:00</wp:comment_date>"
                    f"<wp:comment_date_gmt>{day} 10:{k % 60:02d}:00</wp:comment_date_gmt>"
                    f"<wp:comment_content><![CDATA[I think <em>otherwise</em>, and here is why: number {k}.]]>"
                    "</wp:comment_content>"
                    f"<wp:comment_approved>{'1' if k % 10 else '0'}</wp:comment_approved>"
                    f"<wp:comment_type></wp:comment_type><wp:comment_parent>{parent}</wp:comment_parent>"
                    "<wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n"
                )
            f.write("</item>\n")
        f.write("</channel></rss>\n")


def run(posts: int, comments: int) -> dict[str, float]:
    """Generate, migrate, import; return the figures."""
    with tempfile.TemporaryDirectory(prefix="pnyx-bench-") as tmp:
        export = Path(tmp) / "big.xml"
        write_wxr(export, posts=posts, comments=comments)
        env = {**os.environ, "PNYX_DATA_DIR": str(Path(tmp) / "data"), "DJANGO_SETTINGS_MODULE": "pnyx.settings"}
        env.pop("DATABASE_URL", None)
        pnyx = [sys.executable, "-m", "pnyx.cli"]
        subprocess.run([*pnyx, "migrate", "-v0"], env=env, check=True)
        started = time.perf_counter()
        subprocess.run([*pnyx, "import", str(export), "-v0"], env=env, check=True)
        seconds = time.perf_counter() - started
        # ru_maxrss of children is the largest child so far (kilobytes on Linux): the import, not migrate.
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return {
            "file_mb": export.stat().st_size / 1e6,
            "seconds": seconds,
            "rate": comments / seconds,
            "peak_mb": peak_kb / 1024,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=100_000)
    args = parser.parse_args()
    figures = run(args.posts, args.comments)
    print(f"WXR import: {args.posts} posts, {args.comments} comments, file {figures['file_mb']:.1f} MB")
    print(f"  time      {figures['seconds']:.1f} s")
    print(f"  rate      {figures['rate']:.0f} comments/s")
    print(f"  peak RSS  {figures['peak_mb']:.0f} MB (child process)")


if __name__ == "__main__":
    main()
