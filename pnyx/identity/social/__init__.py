"""Sign-in providers allauth does not ship, written as allauth's own are (a package each, with
``provider.py``, ``views.py`` and ``urls.py``, listed in INSTALLED_APPS): WordPress.com and Mastodon."""
