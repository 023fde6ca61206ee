"""``pnyx rules_dryrun``: what a change to the moderation settings would have done to recent comments,
before making it. The same dry run as the admin's *Dry run* button (``discussion.rules.dryrun``)."""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError

from pnyx.discussion.rulebook import ModerationSettings
from pnyx.discussion.rules.dryrun import dry_run


class Command(BaseCommand):
    help = (
        "Judge the last weeks of comments by the moderation settings changed as --set says (nothing is saved) "
        "and list what would come out differently."
    )

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=4, help="How far back to look (default: %(default)s).")
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help='A changed setting, e.g. --set max_links=1 --set "blocked_words=casino\\npoker" (repeatable).',
        )

    def handle(self, *args, weeks: int, set: list[str], verbosity: int, **options):  # noqa: A002 (the option's name)
        if not 1 <= weeks <= 520:
            raise CommandError("--weeks must be from 1 to 520.")
        config = ModerationSettings.load()
        for assignment in set:
            name, sep, value = assignment.partition("=")
            try:
                field = ModerationSettings._meta.get_field(name.strip())
            except FieldDoesNotExist:
                raise CommandError(f"No moderation setting is called {name.strip()!r}.") from None
            if not sep or not field.editable:
                raise CommandError(f"--set needs FIELD=VALUE with an editable setting, not {assignment!r}.")
            try:
                setattr(config, field.attname, field.to_python(value.replace("\\n", "\n")))
            except ValidationError as error:
                raise CommandError(f"{name}: {' '.join(error.messages)}") from None
        try:
            config.full_clean(exclude=["revision"])
        except ValidationError as error:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())) from None
        report = dry_run(settings=config, weeks=weeks)
        self.stdout.write(f"{report.judged} comments of the last {weeks} weeks judged again; nothing was saved.")
        for (now, then), n in sorted(report.counts.items()):
            self.stdout.write(f"  {n:6d}  {now} -> {then}")
        if verbosity > 1:
            for d in report.differences:
                excerpt = " ".join(d.comment.body.split())[:60]
                self.stdout.write(f"#{d.comment.pk} {d.now} -> {d.then} ({d.reason}): {excerpt}")
