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
    "inservice_portal.single_writer": "inservice_portal.concurrency.single_writer",
}
_CATALOG = "inservice_portal.catalog"
SPLIT = {
    # (module, class) → the module the class lives in now, where one module became several
    **{(_CATALOG, name): f"{_CATALOG}.objectmap" for name in ("ObjectMap",)},
    **{(_CATALOG, name): f"{_CATALOG}.discriminators" for name in (
        "Attr", "DateOrdinal", "OpeningDate", "Value", "OnlyTrue", "Keywords", "Hours",
        "County", "SearchableText", "ReviewFlagCodes", "LineageCode", "LinkKeys")},
    **{(_CATALOG, name): f"{_CATALOG}.indexes" for name in (
        "NeverRecorded", "NoDocumentWeights", "UniqueFieldIndex", "CompactKeywordIndex",
        "YearIndex")},
}


def stale_names() -> list[bytes]:
    """What a record naming a moved class holds: a module's path, or (pickle's GLOBAL
    opcode) a split module's path and the class's name, each ending its line."""
    return ([old.encode() for old in MOVED]
            + [f"{module}\n{name}\n".encode() for module, name in SPLIT])


def rewrite(conn) -> int:
    """Write again every current record of ``conn``'s database that names a moved module: its
    object is pickled anew with the classes' present paths, those of the objects it refers to
    included. What an evolve step after a move runs; returns how many were written."""
    names = stale_names()
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
        modulename = SPLIT.get((modulename, globalname), MOVED.get(modulename, modulename))
        return original(connection, modulename, globalname)
    return class_factory
