"""Classes stored in ZODB under a module that has since moved into a feature package.

ZODB records each object's class by its dotted path, in the object's own record and in every
record that refers to it. Until an evolve step has written those records again (with the new
path), the databases ZODB opens for the app look the old module up under its new name.
"""
MOVED = {
    # old module → where its stored classes live now (evolve step 16 rewrites the records)
    "inservice_portal.chinese_text": "inservice_portal.catalog.text",
}


def install(databases: dict):
    for db in databases.values():
        db.classFactory = _factory(db.classFactory)
        db.pool.clear()       # DB() kept the connection it made the root with: old reader


def _factory(original):
    def class_factory(connection, modulename, globalname):
        return original(connection, MOVED.get(modulename, modulename), globalname)
    return class_factory
