"""Queries a page miss runs every time, turned into SQL once per process instead of on every run.

Why: Django compiles a QuerySet to SQL each time it is evaluated. For the post page's query (the post
with its author, image and thread: fifty columns, three joins) that cost 1.2 ms on the bench machine,
against 0.1 ms to run it, and compiling was a quarter of a short post's cold render. From one post to
the next only the values change, so ``Precompiled`` compiles on first use and afterwards puts the new
values into the compiled statement's parameters and builds the instances as Django's own iterator does
(``ModelIterable``: the same ``from_db``, converters and ``select_related`` populators).

The contract, for ``build(*values)``: it returns the same query shape whatever the values (no branch on
them, no list whose length varies), on ``Model.objects`` rather than a related manager (refused: the
objects it fills in would be missing), and each value reaches the statement's parameters as the
database takes it (strings and integers as they are, an aware datetime as the backend adapts it). A
value's place is the one parameter of the same type that equals it; a value found in no place or in
two (the same as another value, or a constant) makes the statement good for this call alone, and the
next call compiles again. An integer no database column can hold (past 64 bits) runs the ordinary
way, where the ORM decides what it matches.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.sql.compiler import SQLCompiler

Value = str | int | datetime
_INTEGERS = (-(2**63), 2**63 - 1)  # what a database's integer holds; the driver refuses anything beyond


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple
    slots: tuple[int, ...] | None  # where each value goes in ``params``; None: these params alone
    compiler: SQLCompiler  # after ``as_sql``: what the columns are and how each is converted
    model: type[Model]
    columns: slice  # the model's own columns in a row
    init_list: list[str]
    populators: list  # select_related's, one per related model
    annotations: dict[str, int]


class Precompiled:
    """``Precompiled(build)(*values)``: the list ``build(*values)`` would give, compiled once per process
    and database."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._statements: dict[str, _Statement] = {}  # by database alias

    def __call__(self, *values: Value, using: str = DEFAULT_DB_ALIAS) -> list[Model]:
        if any(type(value) is int and not _INTEGERS[0] <= value <= _INTEGERS[1] for value in values):
            # No column holds it (an id typed into an address): the ORM says what that matches.
            return list(self.build(*values).using(using))
        connection = connections[using]
        statement = self._statements.get(using)
        if statement is None:
            statement = self._compile(self.build(*values).using(using), values)
            if statement.slots is None:  # good for these values alone
                return self._run(statement, (), connection, using)
            self._statements[using] = statement
        return self._run(statement, values, connection, using)

    def first(self, *values: Value, using: str = DEFAULT_DB_ALIAS) -> Model | None:
        """The one row a query by a unique key finds, or None (``.first()`` for a precompiled query)."""
        found = self(*values, using=using)
        return found[0] if found else None

    @staticmethod
    def _run(statement: "_Statement", values: tuple[Value, ...], connection: Any, using: str) -> list[Model]:
        params = list(statement.params)
        for slot, value in zip(statement.slots or (), values, strict=True):
            params[slot] = _adapted(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            rows = cursor.fetchall()
        compiler = copy.copy(statement.compiler)
        compiler.connection = connection  # the converters belong to this thread's connection
        found = []
        for row in compiler.results_iter([rows]):
            instance = statement.model.from_db(using, statement.init_list, row[statement.columns])
            for populator in statement.populators:
                populator.populate(row, instance)
            for name, position in statement.annotations.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    @staticmethod
    def _compile(queryset: QuerySet, values: tuple[Value, ...]) -> "_Statement":
        if queryset._known_related_objects or queryset._prefetch_related_lookups or queryset._fields is not None:
            raise ValueError("Precompiled runs a model query on Model.objects (no related manager, prefetch, values())")
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        adapted = [_adapted(value, compiler.connection) for value in values]
        # A choice's constant is its enum, which equals a plain string of the same text: types must match.
        places = [[i for i, p in enumerate(params) if type(p) is type(value) and p == value] for value in adapted]
        # A value found twice (the same as another value, or a constant), or nowhere, has no known place:
        # then the statement serves this call alone (``slots`` None).
        slots = tuple(found[0] for found in places) if all(len(found) == 1 for found in places) else None
        klass_info, select = compiler.klass_info, compiler.select
        columns = slice(klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1)
        return _Statement(
            sql=sql,
            params=tuple(params),
            slots=slots,
            compiler=compiler,
            model=klass_info["model"],
            columns=columns,
            init_list=[column[0].target.attname for column in select[columns]],
            populators=get_related_populators(klass_info, select, queryset.db),
            annotations=dict(compiler.annotation_col_map or {}),
        )


def _adapted(value: Value, connection: Any) -> Any:
    """A value as the compiled statement's parameters hold it (a datetime is the one that changes)."""
    return connection.ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value
