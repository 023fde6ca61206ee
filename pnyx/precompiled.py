"""Queries a page miss runs every time, turned into SQL once per process instead of on every run.

Why: Django compiles a QuerySet to SQL each time it is evaluated. For the post page's query (the post
with its author, image and thread: fifty columns, three joins) that cost 1.2 ms on the bench machine,
against 0.1 ms to run it, and compiling was a quarter of a short post's cold render. From one post to
the next only the values change, so ``Precompiled`` compiles on first use and afterwards puts the new
values into the compiled statement's parameters and builds the instances as Django's own iterator does
(``ModelIterable``: the same ``from_db``, converters and ``select_related`` populators).

The contract, for ``build(*values, **shape)``: it returns the same query whatever the values (no
branch on them), on ``Model.objects`` rather than a related manager (refused: the objects it fills in
would be missing), and each value reaches the statement's parameters as it is given (strings and
integers as they are, an aware datetime or a UUID as the backend adapts it): a caller lower-cases an address
before the call, not ``build``. What does change the query (which filters it has, a slice) is passed as
``shape``, keywords that ``build`` receives too: one statement is kept per shape and per number of
values (a list of ids has one value each).

The first call of a shape builds the query twice, with its values and with stand-ins that appear
nowhere else; where the stand-ins are is where the values go, even when a value equals a constant or
another value (a user's id that is also the thread's). A call whose query differs from the stand-ins'
anywhere else (a value changed on its way, branched on, or repeated in a list) runs as it is, and the
next call tries again. An integer no database column can hold (past 64 bits) runs the ordinary way,
where the ORM decides what it matches.

A model query gives its instances; a ``values_list()`` query its rows, as tuples (an aggregate that is
one row: ``one_row``).
"""

import ipaddress
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet, Value
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.models.sql.compiler import SQLCompiler

Param = str | int | datetime | uuid.UUID
_INTEGERS = (-(2**63), 2**63 - 1)  # what a database's integer holds; the driver refuses anything beyond


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple
    slots: tuple[int, ...] | None  # where each value goes in ``params``; None: these params alone
    columns: int  # how many columns a row has (the database may return more, to order by)
    converters: list[tuple[int, tuple[list[Callable], Any]]]  # (column, (converters, expression)), as Django's
    instances: "_Instances | None"  # how a row becomes a model instance; None: a values_list() row


@dataclass(frozen=True)
class _Instances:
    model: type[Model]
    columns: slice  # the model's own columns in a row
    init_list: list[str]
    populators: list  # select_related's, one per related model
    annotations: dict[str, int]

    @classmethod
    def of(cls, queryset: QuerySet, compiler: SQLCompiler) -> "_Instances":
        """How Django's ``ModelIterable`` makes the instances of ``compiler``'s rows."""
        klass_info, select = compiler.klass_info, compiler.select
        columns = slice(klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1)
        return cls(
            model=klass_info["model"],
            columns=columns,
            init_list=[column[0].target.attname for column in select[columns]],
            populators=get_related_populators(klass_info, select, queryset.db),
            annotations=dict(compiler.annotation_col_map or {}),
        )


class Precompiled:
    """``Precompiled(build)(*values, **shape)``: the list ``build(*values, **shape)`` would give, compiled
    once per process, database and shape."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._statements: dict[tuple, _Statement] = {}  # by database alias, number of values and shape

    def __call__(self, *values: Param, using: str = DEFAULT_DB_ALIAS, **shape: Hashable) -> list:
        if any(type(value) is int and not _INTEGERS[0] <= value <= _INTEGERS[1] for value in values):
            # No column holds it (an id typed into an address): the ORM says what that matches.
            return list(self.build(*values, **shape).using(using))
        connection = connections[using]
        key = (using, len(values), *sorted(shape.items()))
        statement = self._statements.get(key)
        if statement is None:
            statement = self._compile(values, shape, using)
            if statement.slots is None:  # good for these values alone
                return self._run(statement, (), connection, using)
            self._statements[key] = statement
        return self._run(statement, values, connection, using)

    def first(self, *values: Param, using: str = DEFAULT_DB_ALIAS, **shape: Hashable) -> Any:
        """The one row a query by a unique key finds, or None (``.first()`` for a precompiled query)."""
        found = self(*values, using=using, **shape)
        return found[0] if found else None

    @staticmethod
    def _run(statement: "_Statement", values: tuple[Param, ...], connection: Any, using: str) -> list:
        params = list(statement.params)
        for slot, value in zip(statement.slots or (), values, strict=True):
            params[slot] = _adapted(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            rows = [list(row[: statement.columns]) for row in cursor.fetchall()]
        for row in rows:  # as the compiler's apply_converters, with this thread's connection
            for position, (converters, expression) in statement.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
        if (make := statement.instances) is None:
            return [tuple(row) for row in rows]
        found = []
        for row in rows:
            instance = make.model.from_db(using, make.init_list, row[make.columns])
            for populator in make.populators:
                populator.populate(row, instance)
            for name, position in make.annotations.items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def _compile(self, values: tuple[Param, ...], shape: dict[str, Hashable], using: str) -> "_Statement":
        queryset = self.build(*values, **shape).using(using)
        if queryset._known_related_objects or queryset._prefetch_related_lookups:
            raise ValueError("Precompiled runs a query on Model.objects (no related manager, no prefetch)")
        if queryset._iterable_class not in (ModelIterable, ValuesListIterable):
            raise ValueError("Precompiled gives model instances or values_list() rows (not values(), flat or named)")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        # Worked out once, not on every run: which columns convert, and how (a datetime on SQLite, a
        # field's from_db_value). They depend on the columns and the backend's settings alone.
        converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
        return _Statement(
            sql=sql,
            params=tuple(params),
            slots=self._places(values, shape, using, sql, params),
            columns=compiler.col_count,
            converters=list(converters.items()),
            instances=_Instances.of(queryset, compiler) if queryset._iterable_class is ModelIterable else None,
        )

    def _places(
        self, values: tuple[Param, ...], shape: dict[str, Hashable], using: str, sql: str, params: tuple
    ) -> tuple[int, ...] | None:
        """Where each value goes in ``params``; None when that cannot be told, and the statement then
        serves this call alone.

        The query is built again with stand-ins, values that appear nowhere else, so that a value equal
        to another or to a constant (a user's id that is also the thread's) is still placed. The real
        build must be the same statement with the real values where the stand-ins are: otherwise
        ``build`` changed a value on its way (a lower-cased address) or branched on it.
        """
        stand_ins = [_stand_in(value, i) for i, value in enumerate(values)]
        if None in stand_ins:
            return None
        connection = connections[using]
        try:
            query = self.build(*stand_ins, **shape).using(using).query
            stand_in_sql, stand_in_params = query.get_compiler(using).as_sql()
        except (ValueError, TypeError, ValidationError, EmptyResultSet, FullResultSet):
            # A column that refuses a stand-in of its type (an address), or too small to hold it.
            return None
        if stand_in_sql != sql or len(stand_in_params) != len(params):
            return None
        slots = []
        for stand_in in stand_ins:
            adapted = _adapted(stand_in, connection)
            found = [i for i, p in enumerate(stand_in_params) if _same(p, adapted)]
            if len(found) != 1:  # the value is in the query twice, or not at all
                return None
            slots.append(found[0])
        # The same statement with each real value where its stand-in is? (A list's ids, one repeated, are
        # one parameter fewer, and were told apart above by their number.)
        value_at = {slot: _adapted(value, connection) for slot, value in zip(slots, values, strict=True)}
        for i, (stand_in_param, param) in enumerate(zip(stand_in_params, params, strict=True)):
            if i in value_at:
                if not _same(param, value_at[i]):
                    return None
            elif type(stand_in_param) is not type(param) or stand_in_param != param:
                return None
        return tuple(slots)


def one_row(rows: QuerySet, **aggregates: Any) -> QuerySet:
    """``rows.aggregate(**aggregates)`` as a ``values_list()`` query of one row, in the aggregates' order,
    which ``Precompiled`` can run (``aggregate()`` runs at once). Grouped by a constant, which groups
    nothing: one row, even when no row matches."""
    return rows.order_by().annotate(_all=Value(1)).values("_all").annotate(**aggregates).values_list(*aggregates)


def _stand_in(value: Param, i: int) -> Param | None:
    """A value of the same kind as ``value`` that no query holds otherwise (the ``i``-th of a call's)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return 1_999_999_000 + i  # no id this large in the queries, and in the range of a positive integer column
    if isinstance(value, str):  # a choice's enum too
        try:  # an address's column may take nothing else (PostgreSQL's inet)
            version = ipaddress.ip_address(value).version
        except ValueError:
            return f"pnyx-stand-in-{i}"
        return f"192.0.2.{i}" if version == 4 else f"2001:db8::{i:x}"  # the ranges kept for examples
    if isinstance(value, datetime) and value.tzinfo is not None:
        return datetime(1901, 2, 3, 4, 5, 6, i, tzinfo=UTC)
    if isinstance(value, uuid.UUID):
        return uuid.UUID(int=1_999_999_000 + i)
    return None


def _same(param: Any, value: Any) -> bool:
    """Is ``param`` the value? A choice's constant is its enum, which equals a plain string of the same
    text, so types must match; except an address, which PostgreSQL's driver holds as an address object
    (a string in its place is the same to the database)."""
    if isinstance(param, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return type(value) is str and str(param) == value
    return type(param) is type(value) and param == value


def _adapted(value: Param, connection: Any) -> Any:
    """A value as the compiled statement's parameters hold it: a datetime as the backend stores it, a
    UUID as its hex digits where the database has no UUID type (``UUIDField.get_db_prep_value``)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, uuid.UUID) and not connection.features.has_native_uuid_field:
        return value.hex
    return value
