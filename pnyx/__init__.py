"""pnyx: a blog whose comment threads are first-class."""
