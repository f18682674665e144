"""A site whose database lacks evolve steps answers 503 until they have run, then serves."""
import transaction
import webtest

from inservice_portal import evolve, main
from inservice_portal.bootstrap import APP_ROOT


def make_app(settings, tmp_path):
    return main({}, **dict(settings, **{"zodbconn.uri": f"file://{tmp_path}/Data.fs"}))


def in_root(app, work):
    tm = transaction.TransactionManager()
    conn = app.registry._zodb_databases[""].open(transaction_manager=tm)
    work(conn.root()[APP_ROOT], tm)
    conn.close()


def close(app):
    for db in app.registry._zodb_databases.values():
        db.close()


def test_a_current_site_is_served_without_the_gate(settings, tmp_path):
    app = make_app(settings, tmp_path)
    assert not hasattr(app, "caught_up")
    assert webtest.TestApp(app).get("/search").status_int == 200
    close(app)


def test_a_site_behind_answers_503_until_evolve_has_run(settings, tmp_path):
    older = make_app(settings, tmp_path)                 # a new site, at the latest step …

    def one_step_back(root, tm):                         # … as if made by the version before
        setattr(root, evolve.VERSION_KEY, evolve.latest() - 1)
        tm.commit()

    in_root(older, one_step_back)
    close(older)

    app = make_app(settings, tmp_path)
    client = webtest.TestApp(app)
    page = client.get("/search", status=503)
    assert "系統升級中" in page.text and page.headers["Retry-After"] == "300"
    assert page.headers["Cache-Control"] == "no-store"
    assert page.html.find("html")["lang"] == "zh-Hant-TW"
    api = client.get("/api/v1/courses", status=503)
    assert api.json["error"]["code"] == "maintenance"

    in_root(app, lambda root, tm: evolve.run(root, tm=tm, log=lambda message: None))
    assert client.get("/search").status_int == 200     # no restart needed
    close(app)
