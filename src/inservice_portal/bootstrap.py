"""Open the root, creating it on first use in one transaction (idempotent)."""
import transaction
from ZODB.POSException import ConflictError
from pyramid_zodbconn import get_connection

from . import comms, evolve, reference
from .catalog import ensure_catalog
from .courses.project_tags import ProjectTags
from .exchange.partners import ensure_platform
from .jobs.runner import ensure_jobs
from .resources.centre import RegionCentre
from .resources.ministry import APP_ROOT, Ministry
from .resources.sharing import ensure_sharing_area
from .statistics.queue import queue_of as statistics_queue


def make_root() -> Ministry:
    """A new root with the reference hierarchy: every region centre of centres.yaml."""
    root = Ministry()
    for c in reference.centres():
        centre = RegionCentre(c["code"], c["name"], c["kind"], short=c["short"],
                              county=c["county"], mode=c["mode"])
        root["centres"].add(c["code"], centre, send_events=False)
    ensure_sharing_area(root)
    ensure_platform(root)
    ensure_jobs(root)
    comms.ensure(root)
    ensure_catalog(root)
    statistics_queue(root)            # made here: no request writes the root to make it
    root.project_tags = ProjectTags()
    evolve.mark_baseline(root)
    return root


def ensure_root(db) -> None:
    """Create the app root in ``db`` if it is missing, in one transaction of its own.

    Two processes starting at once on a shared RelStorage both try; the loser's commit
    conflicts, and its second look finds the winner's root.
    """
    for attempt in range(3):
        tm = transaction.TransactionManager()
        conn = db.open(transaction_manager=tm)
        try:
            tm.begin()
            zodb_root = conn.root()
            if APP_ROOT in zodb_root:
                tm.abort()
                return
            zodb_root[APP_ROOT] = make_root()
            tm.get().note("bootstrap: create the root")
            tm.commit()
            return
        except ConflictError:
            tm.abort()
            if attempt == 2:
                raise
        finally:
            conn.close()


def root_factory(request):
    return get_connection(request).root()[APP_ROOT]
