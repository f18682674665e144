"""Mail joins the transaction: delivered to a real SMTP server on commit, never on abort."""
import pytest
import transaction
from pyramid.request import Request

from inservice_portal import mail


@pytest.fixture
def settings(base_settings, smtp):
    return dict(base_settings, **smtp.settings)


@pytest.fixture
def request_(app, config):
    request = Request.blank("/")
    request.registry = config.registry
    return request


def test_a_committed_message_is_delivered_in_chinese(smtp, request_):
    with transaction.manager:
        mail.send(request_, "teacher@example.org", "候補遞補通知", "您已由候補轉為錄取。")
    [message] = smtp.messages
    assert message["To"] == "teacher@example.org"
    assert message["Subject"] == "候補遞補通知"
    assert "全國教師在職進修資訊網" in message["From"]
    assert message.get_content().strip() == "您已由候補轉為錄取。"


def test_an_aborted_transaction_sends_nothing(smtp, request_):
    transaction.begin()
    mail.send(request_, "teacher@example.org", "不該寄出", "這封信不應送達。")
    transaction.abort()
    with transaction.manager:
        mail.send(request_, "other@example.org", "應寄出", "只有這封。")
    assert [m["To"] for m in smtp.messages] == ["other@example.org"]


def test_with_a_queue_path_a_committed_message_waits_in_the_maildir(base_settings, tmp_path):
    from inservice_portal import make_config

    config = make_config(dict(base_settings, **{"mail.queue_path": str(tmp_path / "mail")}))
    config.make_wsgi_app()
    with transaction.manager:
        mail.send(config.registry, "teacher@example.org", "報名成功", "已錄取。")
    transaction.begin()
    mail.send(config.registry, "teacher@example.org", "不該排入", "中止。")
    transaction.abort()
    queued = list((tmp_path / "mail" / "new").iterdir())
    assert len(queued) == 1 and b"teacher@example.org" in queued[0].read_bytes()
    for db in config.registry._zodb_databases.values():
        db.close()


def test_a_long_message_arrives_whole(smtp, request_):
    # Over 1,000 bytes: sent with CRLF line ends (a strict server refuses bare-LF mail).
    body = "\n".join(f"第 {n} 行：研習課程通知內容。" for n in range(80))
    with transaction.manager:
        mail.send(request_, "teacher@example.org", "長信", body)
    [message] = smtp.messages
    assert message.get_content().strip().splitlines() == body.splitlines()
