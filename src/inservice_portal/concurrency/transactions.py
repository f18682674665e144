"""Short write transactions.

pyramid_tm begins a request's transaction before traversal reads anything, and ZODB detects a
conflict against every commit made since that snapshot: slow work done first (argon2, parsing
an upload) widens the window in which another writer of the same object makes this request
conflict. ``begin_anew`` ends that snapshot — nothing has been written yet — and begins the
short transaction that records the result; objects already loaded stay usable and show the
newest committed state.
"""
from pyramid.traversal import find_root
from transaction.interfaces import NoTransaction


def begin_anew(request):
    tm = request.tm
    try:
        tm.abort()
    except NoTransaction:               # the previous one was committed
        pass
    txn = tm.begin()
    txn.note(f"{request.method} {request.path_info}")
    account = getattr(request, "account", None)
    if account is not None:
        txn.user = account.login
    return txn


def manager_of(obj):
    """The transaction manager that writes ``obj``: its connection's (a request's, a job's
    or a script's), or its root's while it is new and has none yet."""
    jar = getattr(obj, "_p_jar", None) or find_root(obj)._p_jar
    return jar.transaction_manager


def transaction_of(obj):
    return manager_of(obj).get()
