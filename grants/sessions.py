"""The session store (SESSION_ENGINE): Django's database sessions, read with one prepared SQL statement.

Every logged-in request reads its session first. Django's store builds that read with the ORM on each request
(a QuerySet, a compiled query, a Session instance) only to decode one column; here the SELECT is written once
and only the column is fetched. Everything else — writing, rotating, expiring, flushing, the async methods and
the data format (same class name, so the same signing salt) — is Django's own `backends.db.SessionStore`.
"""

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

_SELECT: dict[str, str] = {}  # per database vendor: the one statement a request's session costs


class SessionStore(DatabaseSessionStore):
    def load(self) -> dict[str, Any]:
        data = self._session_data_from_db()
        if data is None:
            self._session_key = None  # as Django's store does: an unknown or expired key is not used again
            return {}
        return self.decode(data)

    def _session_data_from_db(self) -> str | None:
        key = self.session_key
        if not key:
            return None
        connection = connections[router.db_for_read(self.model)]
        if connection.vendor not in _SELECT:
            qn, meta = connection.ops.quote_name, self.model._meta
            _SELECT[connection.vendor] = (
                f"SELECT {qn(meta.get_field('session_data').column)} FROM {qn(meta.db_table)} "  # noqa: S608
                f"WHERE {qn(meta.get_field('session_key').column)} = %s "
                f"AND {qn(meta.get_field('expire_date').column)} > %s"
            )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_SELECT[connection.vendor], [key, now])
            row = cursor.fetchone()
        return None if row is None else row[0]
