"""A spam wave through the real comment form, with the shipped moderation rules: what shows, what waits.

An hour of a small blog's life, replayed in seconds: a few hundred bot comments from a handful of
addresses (some filling the hidden field, some posting the same text on every post, some stuffed with
links, some under the names and addresses of the blog's regulars), mixed with comments from regulars
(each approved once before, in the browser they write from) and from new readers. Every comment is a
POST to the comment view (Django's test client, the reader's address in REMOTE_ADDR). The clock is
simulated: between two requests every stored comment is made older by the time that passed, so the
rate limits see an hour, not two seconds.

    .venv/bin/python bench/spam_wave.py [--bots 360] [--bot-addresses 6] [--regulars 12] [--newcomers 10]

It prints what the wave left: spam visible (the goal: 0), held, marked spam and refused (429), and the
real comments shown, held (a moderator will see them), marked spam or refused (the goal: 0 lost).
Texts come from the labelled YouTube comment-spam corpus in ../shared/data/youtube-spam when it is there
(label 1 for the bots, 0 for the readers), else from a few written here. SQLite in a temporary data dir
unless DATABASE_URL is set.
"""

import argparse
import csv
import logging
import os
import random
import sys
import tempfile
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("PNYX_SHARED_DATA") or ROOT.parent / "shared" / "data") / "youtube-spam"
SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}

FALLBACK_SPAM = [
    "Great post! Check out https://cheap-watches.example for the best deals",
    "Earn $500 a day from home!!! https://work.example https://more.example https://even-more.example",
    "Nice article. Visit my blog www.seo-boost.example and subscribe please",
    "Hey guys check out my new channel, please like and subscribe!!!",
    "Buy followers now, fast delivery: https://followers.example/buy?ref=blog",
]
FALLBACK_HAM = [
    "I walked that harbour last summer; the light really is like that in the evening.",
    "Your second point convinced me, the first one not yet. What about the winter months?",
    "I tried the recipe with less sugar and it still worked.",
    "This reminds me of an argument my grandfather used to make about trains.",
    "Thanks for writing this up, I had been wondering the same thing for a while.",
    "Small correction: the bridge opened in 1932, not 1923.",
]


def corpus_texts() -> tuple[list[str], list[str]]:
    """(spam, ham) texts from the labelled corpus, or the few written here when it is absent."""
    spam, ham = [], []
    for path in sorted(CORPUS.glob("*.csv")) if CORPUS.is_dir() else []:
        with path.open(encoding="utf-8", errors="replace", newline="") as f:
            for row in csv.DictReader(f):
                text = " ".join((row.get("CONTENT") or "").split())
                if text:
                    (spam if row.get("label") == "1" else ham).append(text)
    return (spam or FALLBACK_SPAM), (ham or FALLBACK_HAM)


def _distinct(texts: list[str]):
    """Real readers' texts, none repeated: a reader who posts the same words in two threads is, by the
    rules, a bot doing its round. The few written here are combined into enough distinct ones."""
    if len(texts) >= 100:
        return iter(texts)
    pairs = [f"{a} {b}" for a in texts for b in texts if a != b]
    return iter(pairs + [f"{a} {b} {c}" for a in texts for b in texts for c in texts if len({a, b, c}) == 3])


@dataclass
class Tally:
    bot: Counter = field(default_factory=Counter)
    real: Counter = field(default_factory=Counter)

    @property
    def visible_spam(self) -> int:
        return self.bot["approved"]

    @property
    def real_lost(self) -> int:
        return self.real["spam"] + self.real["trash"] + self.real["refused"]


def wave(*, bots: int = 360, bot_addresses: int = 6, regulars: int = 12, newcomers: int = 10, seed: int = 16) -> Tally:
    """Run the wave against the current database; Django must be set up and migrated."""
    from datetime import timedelta

    from django.db.models import F
    from django.test import Client
    from django.urls import reverse

    from pnyx.blog.models import Post
    from pnyx.discussion.models import Comment
    from pnyx.discussion.moderation import comment_approve

    rng = random.Random(seed)
    spam_texts, ham_texts = corpus_texts()
    rng.shuffle(ham_texts)
    ham = _distinct(ham_texts)
    posts = [
        Post.objects.create(title=f"Wave post {n}", slug=f"wave-{n}-{rng.randrange(10**9)}", status="published")
        for n in range(5)
    ]
    urls = [reverse("discussion:post", args=[p.thread.pk]) for p in posts]
    tally, kinds = Tally(), {}

    def send(client, *, ip, name, email, text, post, honeypot="", real):
        data = {"comment": text, "author": name, "email": email, "url": "", "fax_number": honeypot, "js": "1"}
        response = client.post(urls[post], data, REMOTE_ADDR=ip, **SAME_ORIGIN)
        (tally.real if real else tally.bot)["sent"] += 1
        if response.status_code != 302:
            (tally.real if real else tally.bot)["refused"] += 1
            (tally.real if real else tally.bot)[f"refused {response.status_code}"] += 1
            return None
        newest = Comment.objects.order_by("-pk").values_list("pk", flat=True).first()
        kinds[newest] = "real" if real else "bot"
        return newest

    # The regulars: one comment each, approved by a moderator days ago, from the browser they still use.
    people = []
    for n in range(regulars):
        person = {"name": f"Regular {n}", "email": f"regular{n}@example.org", "ip": f"198.51.100.{n + 10}"}
        person["client"] = Client()
        first = send(person["client"], **_who(person), text=next(ham), post=n % 5, real=True)
        comment_approve(comment=Comment.objects.get(pk=first))
        people.append(person)
    Comment.objects.update(created_at=F("created_at") - timedelta(days=3))
    tally.real.clear()
    kinds.clear()

    # One simulated hour: each event at a second of it, in order.
    events = []
    for n in range(bots):
        events.append((rng.uniform(0, 3600), "bot", n))
    for person in people:
        events += [(rng.uniform(0, 3600), "regular", person) for _ in range(rng.randint(2, 5))]
    events += [(rng.uniform(0, 3600), "newcomer", n) for n in range(newcomers)]
    events.sort(key=lambda e: e[0])
    # Bots come in bursts from a few addresses: each address sends its share within a few minutes.
    addresses = [f"203.0.113.{n + 1}" for n in range(bot_addresses)]
    copied = {}
    now = 0.0
    for at, kind, who in events:
        if at > now:
            Comment.objects.update(created_at=F("created_at") - timedelta(seconds=at - now))
            now = at
        post = rng.randrange(5)
        if kind == "regular":
            send(who["client"], **_who(who), text=next(ham), post=post, real=True)
        elif kind == "newcomer":
            newcomer = {"name": f"New Reader {who}", "email": f"new{who}@example.net", "ip": f"192.0.2.{who + 1}"}
            send(Client(), **_who(newcomer), text=next(ham), post=post, real=True)
        else:
            ip = addresses[who % bot_addresses]
            text = rng.choice(spam_texts)
            style = who % 5
            if style == 0:  # a naive form bot: fills every field, the hidden one too
                name, email, honeypot = "Best Deals", f"deals{who}@mail.example", "555-0100"
            elif style == 1:  # posing as a regular: the name and address are public knowledge
                victim = people[who % len(people)]
                name, email, honeypot = victim["name"], victim["email"], ""
            elif style == 2:  # the same text on every post, under one address
                name, email, honeypot = "Marketing", f"promo{who % bot_addresses}@mail.example", ""
                text = copied.setdefault(ip, text)
            elif style == 3:  # link stuffing
                name, email, honeypot = "SEO", f"seo{who}@mail.example", ""
                text += " https://a.example/1 https://b.example/2 https://c.example/3"
            else:  # a careful bot: a fresh identity and a plausible text
                name, email, honeypot = f"Alex {who}", f"alex{who}@mail.example", ""
            send(Client(), ip=ip, name=name, email=email, text=text, post=post, honeypot=honeypot, real=False)

    for pk, status in Comment.objects.filter(pk__in=kinds).values_list("pk", "status"):
        (tally.real if kinds[pk] == "real" else tally.bot)[status] += 1
    return tally


def _who(person: dict) -> dict:
    return {"ip": person["ip"], "name": person["name"], "email": person["email"]}


def report(tally: Tally) -> str:
    bot, real = tally.bot, tally.real
    refusals = ", ".join(f"{k.split()[1]}: {v}" for k, v in sorted(bot.items()) if k.startswith("refused "))
    return "\n".join(
        [
            f"bot comments sent       {bot['sent']:5d}",
            f"  spam visible          {bot['approved']:5d}   (goal: 0)",
            f"  held for a moderator  {bot['pending']:5d}",
            f"  marked spam           {bot['spam']:5d}",
            f"  refused               {bot['refused']:5d}   ({refusals or 'none'})",
            f"real comments sent      {real['sent']:5d}",
            f"  shown                 {real['approved']:5d}",
            f"  held for a moderator  {real['pending']:5d}   (first comments: a moderator sees them)",
            f"  marked spam           {real['spam']:5d}",
            f"  refused               {real['refused']:5d}",
            f"  lost                  {tally.real_lost:5d}   (goal: 0)",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bots", type=int, default=360)
    parser.add_argument("--bot-addresses", type=int, default=6)
    parser.add_argument("--regulars", type=int, default=12)
    parser.add_argument("--newcomers", type=int, default=10)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("PNYX_DATA_DIR", tempfile.mkdtemp(prefix="pnyx-wave-"))
    os.environ["PNYX_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pnyx.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; corpus: {CORPUS if CORPUS.is_dir() else 'absent, texts written here'}")
    print(f"rate limits: {settings.PNYX_COMMENT_RATE_LIMITS}; other settings: the defaults")
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic in a throwaway data dir
    logging.getLogger("django.request").setLevel(logging.ERROR)  # a 400 or 429 per refused bot comment
    with override_settings(
        STORAGES={"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ):
        tally = wave(
            bots=args.bots,
            bot_addresses=args.bot_addresses,
            regulars=args.regulars,
            newcomers=args.newcomers,
            seed=args.seed,
        )
    print(report(tally))
    from django.core import mail

    print(f"confirmation mails sent   {len(mail.outbox):5d}   (to the addresses typed; nothing shows without the link)")
    sys.exit(1 if tally.visible_spam or tally.real_lost else 0)


if __name__ == "__main__":
    main()
