"""Short write transactions.

pyramid_tm begins a request's transaction before traversal reads anything, and ZODB detects a
conflict against every commit made since that snapshot: slow work done first (argon2, parsing
an upload) widens the window in which another writer of the same object makes this request
conflict. ``begin_anew`` ends that snapshot — nothing has been written yet — and begins the
short transaction that records the result; objects already loaded stay usable and show the
newest committed state.
"""
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
