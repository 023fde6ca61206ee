"""Load the demo posts and comments (after migrating), so a first run shows a living blog."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from pnyx.demo import load_demo


class Command(BaseCommand):
    help = "Migrate, then add the demo posts and comments that are not there yet."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        created = load_demo()
        self.stdout.write(f"Demo content: {created} post(s) added." if created else "Demo content already there.")
