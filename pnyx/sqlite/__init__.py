"""Django's SQLite backend as pnyx runs it (``base``): writers wait for the write lock in short steps."""
