"""The real ``inservice-portal`` console script against a FileStorage in a temporary directory."""
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import transaction
from pypdf import PdfReader
from ZODB import DB
from ZODB.FileStorage import FileStorage

from inservice_portal.accounts import passwords
from inservice_portal import reference
from inservice_portal.bootstrap import APP_ROOT

SCRIPT = Path(sys.executable).parent / "inservice-portal"

# The shape of etc/development.ini (Data.fs under ../var, which does not exist yet), with a fixed
# session secret and cheap argon2 so that hashing the demo's passwords is quick.
INI = """\
[app:main]
use = egg:inservice-portal
pyramid.default_locale_name = zh_Hant
zodbconn.uri = file://%(here)s/../var/Data.fs?blobstorage_dir=%(here)s/../var/blobs
retry.attempts = 3
session.secret = cli-test-secret-not-for-production
argon2.time_cost = 1
argon2.memory_cost = 1024
argon2.parallelism = 1
"""


@pytest.fixture
def ini(tmp_path):
    if not SCRIPT.exists():
        pytest.skip(f"console script not installed at {SCRIPT}")
    path = tmp_path / "etc" / "site.ini"
    path.parent.mkdir()
    path.write_text(INI)
    return path


def run(ini, *args, stdin=""):
    return subprocess.run([str(SCRIPT), str(ini), *args], input=stdin, capture_output=True,
                          text=True, cwd=ini.parent.parent, timeout=120)


def read(ini, fn):
    """Open the FileStorage the script wrote (the script has exited and released it)."""
    var = ini.parent.parent / "var"
    db = DB(FileStorage(str(var / "Data.fs"), read_only=True, blob_dir=str(var / "blobs")))
    try:
        tm = transaction.TransactionManager()
        conn = db.open(transaction_manager=tm)
        try:
            return fn(conn.root()[APP_ROOT])
        finally:
            tm.abort()
            conn.close()
    finally:
        db.close()


def data_fs(ini):
    return ini.parent.parent / "var" / "Data.fs"


def test_demo_twice_then_evolve(ini):
    first = run(ini, "demo")
    assert first.returncode == 0, first.stderr
    assert "demo data loaded" in first.stdout
    size = data_fs(ini).stat().st_size

    second = run(ini, "demo")
    assert second.returncode == 0, second.stderr
    assert "nothing changed" in second.stdout
    assert data_fs(ini).stat().st_size == size       # no transaction was written

    evolve = run(ini, "evolve")
    assert evolve.returncode == 0, evolve.stderr
    assert "nothing to do" in evolve.stdout

    # The demo sets states directly and then counts: the nightly recomputation finds no drift.
    recount = run(ini, "statistics")
    assert recount.returncode == 0, recount.stdout + recount.stderr
    assert "0 counter(s) corrected" in recount.stdout
    assert "reports frozen as released: monthly:" in recount.stdout   # the demo's past months

    def check(root):
        people = root["people"]
        assert people["tpe-es-admin"].unit == "/centres/taipei/333621"
        assert root["centres"]["taipei"]["333621"].roles_of("tpe-es-admin") == ("principal_admin",)
        assert passwords.verify(people["teacher-es"].password_hash, "Demo-2026!")
        # the catalog saw the courses: the registry was current while they were added
        published = root.catalog["state"].eq("published").execute()
        courses = [p for p in root.objectmap.id_to_path.values() if p[1] == "centres"]
        assert len(published) >= 10 and len(courses) == root.course_codes.value
        assert sum(root.statistics["courses"].as_dict().values()) >= 10
        assert any(key.startswith("monthly:") for key in root.statistics_releases)
        # Each demo handout's file is a PDF in Chinese that a reader extracts text from.
        for handout in root["sharing"]["handouts"].values():
            [attachment] = handout.attachments.values()
            with attachment.blob.open("r") as f:
                text = PdfReader(f).pages[0].extract_text()
            assert handout.title in text.replace("\n", "") and "示範資料" in text
        return len(people)

    assert read(ini, check) >= 28


def test_set_password_from_stdin(ini):
    assert run(ini, "demo").returncode == 0
    done = run(ini, "set-password", "teacher-kg", stdin="Another-Pass-9\n")
    assert done.returncode == 0, done.stderr
    assert "password set for teacher-kg" in done.stdout
    hashes = read(ini, lambda root: root["people"]["teacher-kg"].password_hash)
    assert passwords.verify(hashes, "Another-Pass-9")

    unknown = run(ini, "set-password", "nobody", stdin="x\n")
    assert unknown.returncode == 1 and "nobody" in unknown.stderr
    empty = run(ini, "set-password", "teacher-kg", stdin="\n")
    assert empty.returncode == 1
    assert passwords.verify(read(ini, lambda root: root["people"]["teacher-kg"].password_hash),
                            "Another-Pass-9")


def test_evolve_on_a_new_site_creates_the_root(ini):
    done = run(ini, "evolve")
    assert done.returncode == 0, done.stderr
    assert "nothing to do" in done.stdout
    centres = read(ini, lambda root: set(root["centres"].keys()))
    assert centres == {c["code"] for c in reference.centres()}


def test_usage_errors(ini):
    assert run(ini).returncode == 2                    # no command
    assert run(ini, "frobnicate").returncode == 2


def test_evolve_runs_pending_steps_in_order(ini, monkeypatch, capsys):
    """In-process, so that a step can be added: a site made before the step gets it once."""
    from inservice_portal import evolve
    from inservice_portal.scripts import cli

    monkeypatch.setattr(evolve, "STEPS", [])
    assert cli.main([str(ini), "evolve"]) == 0          # creates the root at baseline 0

    def flag(root):
        root.evolved = getattr(root, "evolved", 0) + 1

    monkeypatch.setattr(evolve, "STEPS", [(1, "set a flag", flag), (2, "again", flag)])
    assert cli.main([str(ini), "evolve"]) == 0
    out = capsys.readouterr().out
    assert "evolve step 1 done: set a flag" in out and "evolve step 2 done: again" in out
    assert cli.main([str(ini), "evolve"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert read(ini, lambda root: (root.evolved, root.evolve_version)) == (2, 2)


def test_reindex_rebuilds_a_lost_catalog(ini):
    from inservice_portal.catalog import ObjectMap, make_catalog

    assert run(ini, "demo").returncode == 0

    def published_codes(root):
        return sorted(root.catalog["code"]._rev_index[d]
                      for d in root.catalog["state"]._fwd_index.get("published", ()))

    before = read(ini, published_codes)
    assert before
    db = DB(FileStorage(str(data_fs(ini))))
    try:
        with db.transaction() as conn:     # lose the catalog, keep a stale entry
            root = conn.root()[APP_ROOT]
            root.catalog, root.objectmap = make_catalog(), ObjectMap()
            root.objectmap.add(SimpleNamespace(), ("", "centres", "taipei", "gone", "1"))
    finally:
        db.close()
    assert read(ini, published_codes) == []

    done = run(ini, "reindex")
    assert done.returncode == 0, done.stderr
    assert "1 stale entries removed" in done.stdout
    assert read(ini, published_codes) == before
    again = run(ini, "reindex")                # idempotent
    assert again.returncode == 0 and "0 stale entries removed" in again.stdout
    assert read(ini, published_codes) == before
