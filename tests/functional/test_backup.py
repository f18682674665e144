"""Backup and restore of the embedded FileStorage (``inservice-portal … backup|restore``):
the demo backed up, changed, backed up again (an increment), and restored into a fresh
directory, where every course, registration and training record equals the original's."""
import pytest

from .test_cli import INI, SCRIPT, read, run


def site_ini(base, name):
    path = base / name / "etc" / "site.ini"
    path.parent.mkdir(parents=True)
    path.write_text(INI)
    return path


def everything(root) -> dict:
    """Each course with its state and registrations, each teacher's records."""
    courses = {}
    for centre in root["centres"].values():
        for organiser in centre.values():
            for course in organiser.values():
                regs = getattr(course, "registrations", None) or {}
                courses[course.code] = (course.title, course.state,
                                        sorted((r.login, r.state) for r in regs.values()))
    records = {login: sorted((k, str(r.hours)) for k, r in (getattr(t, "records", None) or {})
                             .items())
               for login, t in root["people"].items()}
    return {"courses": courses, "records": records, "news": len(root["news"]),
            "logins": sorted(root["people"].keys())}


def test_a_backup_restores_into_a_fresh_directory_as_it_was(tmp_path):
    if not SCRIPT.exists():
        pytest.skip(f"console script not installed at {SCRIPT}")
    live, fresh = site_ini(tmp_path, "live"), site_ini(tmp_path, "fresh")
    backups = tmp_path / "backups"
    assert run(live, "demo").returncode == 0
    first = run(live, "backup", str(backups))
    assert first.returncode == 0, first.stderr
    assert run(live, "set-password", "teacher-es", stdin="Another-Pass-9\n").returncode == 0
    assert run(live, "backup", str(backups)).returncode == 0             # an increment
    kept = [f.name for f in (backups / "content").iterdir()]
    assert any(n.endswith(".fsz") for n in kept) and any(n.endswith(".deltafsz") for n in kept)
    restored = run(fresh, "restore", str(backups))
    assert restored.returncode == 0, restored.stderr
    original, copy = read(live, everything), read(fresh, everything)
    assert copy == original and copy["courses"] and copy["news"] == 2
    password = read(live, lambda root: root["people"]["teacher-es"].password_hash)
    assert read(fresh, lambda root: root["people"]["teacher-es"].password_hash) == password
    assert (tmp_path / "fresh" / "var" / "Audit.fs").stat().st_size > 0   # the audit log too
    blobs = sorted(p.name for p in (tmp_path / "live" / "var" / "blobs").rglob("*.blob"))
    assert blobs and blobs == sorted(p.name for p in (tmp_path / "fresh" / "var" / "blobs")
                                     .rglob("*.blob"))


def test_a_restore_never_overwrites_a_database(tmp_path):
    if not SCRIPT.exists():
        pytest.skip(f"console script not installed at {SCRIPT}")
    live = site_ini(tmp_path, "live")
    assert run(live, "demo").returncode == 0
    assert run(live, "backup", str(tmp_path / "b")).returncode == 0
    refused = run(live, "restore", str(tmp_path / "b"))
    assert refused.returncode == 2 and "exists" in refused.stderr
