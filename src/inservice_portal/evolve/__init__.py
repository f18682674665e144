"""Numbered schema-evolution steps (after Substance D's evolve manager).

A new root records the latest step as its baseline; an old database runs every later step in
order, each in its own transaction, with ``inservice-portal evolve``.
"""
import transaction



def _review_indexes(root):
    from ..catalog import add_missing_indexes, reindex_all

    if add_missing_indexes(root.catalog):
        reindex_all(root)


def _account_security(root):
    """Roots made before step 5 lack the reset-token store; the audit log lives in its own
    database (audit.py), created here for sites that have never been started since."""
    from BTrees.OOBTree import OOBTree

    from ..audit import log_of

    if getattr(root, "password_resets", None) is None:
        root.password_resets = OOBTree()
    log_of(root)


# (number, description, function(root)). Append; never renumber or remove.
STEPS: list[tuple[int, str, object]] = [
    (1, "catalog: stage, auto_approved and review-flag indexes", _review_indexes),
    (5, "accounts: password reset tokens; the audit log database", _account_security),
]
VERSION_KEY = "evolve_version"


def latest() -> int:
    return STEPS[-1][0] if STEPS else 0


def mark_baseline(root):
    setattr(root, VERSION_KEY, latest())


def pending(root) -> list[tuple[int, str, object]]:
    done = getattr(root, VERSION_KEY, 0)
    return [step for step in STEPS if step[0] > done]


def run(root, tm=transaction.manager, log=print):
    for number, description, step in pending(root):
        step(root)
        setattr(root, VERSION_KEY, number)
        tm.get().note(f"evolve {number}: {description}")
        tm.commit()
        log(f"evolve step {number} done: {description}")
