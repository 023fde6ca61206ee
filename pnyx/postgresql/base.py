"""Django's PostgreSQL backend, with queries prepared by the server and no limit on their values.

Why: a comment POST runs the same ten queries every time. Django's default binds each query's values
into its text in Python (client-side binding), so PostgreSQL parses and plans every one of them anew;
with the values sent apart (server-side binding, ``server_side_binding`` in the settings), psycopg has
the server prepare a query a connection has run ``prepare_threshold`` times, and the server parses and
plans it once. Measured with the bench's POST in-process (bench/README.md): PostgreSQL's CPU per
comment 2.0 ms before, 1.1 ms after, and the web process's 0.5 ms less.

The protocol carries at most 65,535 values in one query, and Django 5.2 does not know it: an import's
``pk__in`` over a file's comment ids, or deleting a post whose comments number more than that, would
fail. A query with more values than that is sent as Django sends every query by default, its values
written into its text, and is not prepared.
"""

from typing import Any

from django.db.backends.postgresql import base

MOST_VALUES = 65535


class Cursor(base.ServerBindingCursor):
    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, **kwargs: Any) -> Any:
        if params is not None and len(params) > MOST_VALUES:
            query, params, prepare = base.Cursor(self.connection).mogrify(query, params), None, False
        return super().execute(query, params, prepare=prepare, **kwargs)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        if params["cursor_factory"] is base.ServerBindingCursor:
            params["cursor_factory"] = Cursor
        return params
