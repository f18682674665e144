"""Classes stored in ZODB under a module that has since moved into a feature package.

ZODB records each object's class by its dotted path, in the object's own record and in every
record that refers to it. Until an evolve step has written those records again (with the new
path), the databases ZODB opens for the app look the old module up under its new name.
"""
MOVED = {
    # old module → where its stored classes live now; evolve steps rewrite the records
    "inservice_portal.chinese_text": "inservice_portal.catalog.text",
    "inservice_portal.login_sessions": "inservice_portal.accounts.login_sessions",
    "inservice_portal.tokens": "inservice_portal.accounts.tokens",
    "inservice_portal.password_reset": "inservice_portal.accounts.password_reset",
    "inservice_portal.licences": "inservice_portal.accounts.licences",
}


def rewrite(conn) -> int:
    """Write again every current record of ``conn``'s database that names a moved module: its
    object is pickled anew with the classes' present paths, those of the objects it refers to
    included. What an evolve step after a move runs; returns how many were written."""
    names = [old.encode() for old in MOVED]
    count = 0
    for oid, data in current_records(conn.db().storage):
        if data and any(name in data for name in names):
            obj = conn.get(oid)
            obj._p_activate()
            obj._p_changed = True
            count += 1
    return count


def current_records(storage):
    """(oid, pickle) of each object's current record: FileStorage and RelStorage walk them;
    a storage without ``record_iternext`` (MappingStorage) is read through its history."""
    if not hasattr(storage, "record_iternext"):
        latest = {}
        for txn in storage.iterator():
            latest.update((record.oid, record.data) for record in txn)
        yield from latest.items()
        return
    next_oid = None
    while True:
        oid, _, data, next_oid = storage.record_iternext(next_oid)
        yield oid, data
        if next_oid is None:
            return


def install(databases: dict):
    for db in databases.values():
        db.classFactory = _factory(db.classFactory)
        db.pool.clear()       # DB() kept the connection it made the root with: old reader


def _factory(original):
    def class_factory(connection, modulename, globalname):
        return original(connection, MOVED.get(modulename, modulename), globalname)
    return class_factory
