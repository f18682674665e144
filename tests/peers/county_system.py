"""A county's training system (縣市教師研習系統), as a separate process speaking only HTTP to
the portal: what a real partner's exchange client does, with the standard library alone.

    python tests/peers/county_system.py BASE_URL CLIENT_ID SECRET NATIONAL_ID MONTH

It gets a token (OAuth 2 client credentials), queues a batch of two records of MONTH,
polls it to its end, sends it again (no change), retrieves by cursor what changed, and
confirms MONTH; it prints one JSON object of what it saw.
"""
import base64
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def call(method, url, body=None, headers=None, form=False):
    data = None
    headers = dict(headers or {})
    if body is not None and form:
        data = urllib.parse.urlencode(body).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # nosec B310 (a test peer)
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def main(base, client_id, secret, national_id, month):
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    status, token = call("POST", f"{base}/api/v1/exchange/token",
                         {"grant_type": "client_credentials"},
                         {"Authorization": f"Basic {basic}"}, form=True)
    assert status == 200, token
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    day = f"{month}-10"
    records = [{"source_record_id": f"CTY-{n}", "national_id": national_id,
                "title": f"縣市研習{n}", "organiser": "縣市教師研習中心", "first_day": day,
                "last_day": day, "hours": n + 1} for n in range(2)]
    seen = {"scope": token["scope"]}
    for attempt in ("first", "again"):
        status, queued = call("POST", f"{base}/api/v1/exchange/batches",
                              {"batch_key": f"{month}-1", "records": records}, bearer)
        assert status == 202, queued
        while queued["state"] not in ("done", "failed"):
            time.sleep(0.05)
            status, queued = call("GET", queued["status_url"], headers=bearer)
        seen[attempt] = {"state": queued["state"], "imported": queued["report"]["imported"],
                         "added": queued["report"]["added"]}
    cursor, items = "0", []
    while True:
        status, page = call("GET", f"{base}/api/v1/exchange/records?since={cursor}&limit=1",
                            headers=bearer)
        assert status == 200, page
        items += page["items"]
        cursor = page["next"]
        if not page["more"]:
            break
    seen["retrieved"] = [(i["source"], i["source_record_id"], i["hours"]) for i in items]
    status, confirmed = call("POST", f"{base}/api/v1/exchange/months/{month}/confirmation",
                             headers=bearer)
    seen["confirmed"] = (status, confirmed.get("month"))
    status, late = call("POST", f"{base}/api/v1/exchange/records", {
        "batch_key": "after-confirmation", "records": [dict(records[0], hours=9)]}, bearer)
    seen["after_confirmation"] = (status, [p["field"] for p in late.get("problems", [])])
    print(json.dumps(seen, ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:])
