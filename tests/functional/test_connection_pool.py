"""Each database keeps as many closed connections, with their warm caches, as a server has
threads: ZODB's default of 7 made an 8-thread waitress open a cold connection on most
requests (the audit database's among them, which cost the registration rush half its rate)."""
import transaction

from inservice_portal import POOL_SIZE


def connections_after_a_busy_moment(db, threads):
    """Open one connection per thread at once, close them all, then open as many again: the
    connections handed out the second time (the same objects when none was discarded)."""
    first = [db.open(transaction_manager=transaction.TransactionManager())
             for _ in range(threads)]
    for conn in first:
        conn.close()
    second = [db.open(transaction_manager=transaction.TransactionManager())
              for _ in range(threads)]
    for conn in second:
        conn.close()
    return set(map(id, first)), set(map(id, second))


def test_both_databases_keep_a_connection_for_each_of_many_threads(config):
    databases = config.registry._zodb_databases
    assert set(databases) == {"", "audit"}
    for db in databases.values():
        before, after = connections_after_a_busy_moment(db, threads=12)
        assert after == before                 # none thrown away with its cache
        assert db.getPoolSize() == POOL_SIZE


def test_the_pool_size_is_a_setting(settings):
    from inservice_portal import make_config

    config = make_config(dict(settings, **{"zodbconn.pool_size": "40"}))
    try:
        assert {db.getPoolSize() for db in config.registry._zodb_databases.values()} == {40}
    finally:
        for db in config.registry._zodb_databases.values():
            db.close()
