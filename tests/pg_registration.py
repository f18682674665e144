"""A worker for the cross-process registration rush on RelStorage (run with ``spawn``)."""


def register_many(settings, code, bearer, barrier, results):
    """Start an app on the shared database and register each token's teacher, all at once
    from one thread per teacher; report the statuses and answers."""
    try:
        import threading

        import webtest

        from .pg import _app

        app, config = _app(settings)
        answers = []
        start = threading.Barrier(len(bearer))

        def one(token):
            browser = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
            browser.authorization = ("Bearer", token)
            start.wait(timeout=60)
            response = browser.post_json(f"/api/v1/courses/{code}/registrations", {},
                                         status="*")
            answers.append((response.status_int, response.json))

        threads = [threading.Thread(target=one, args=(token,)) for token in bearer]
        barrier.wait(timeout=120)          # every process ready before anyone starts
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        config.registry._zodb_databases[""].close()
        results.put({"answers": answers})
    except BaseException as error:
        results.put({"error": repr(error)})
