"""The writer's desk at ``/write/``: the people whose role writes (``roles``) write, preview and publish
posts there, beyond the admin; what they type is autosaved as a ``Draft`` and never lost."""
