"""Overdue roster reminders (Art. 12): one mail per organiser with overdue rosters, to the unit
and its staff, through a real SMTP server on loopback; and the console command."""
from datetime import timedelta

import pytest
import transaction

from inservice_portal import clock
from inservice_portal.attendance.reminders import SUBJECT, send_reminders

from ..conftest import add_organiser, add_staff
from .test_cli import run
from .test_cli import ini  # noqa: F401  (fixture)
from .test_roster import add_ended_course

TODAY = clock.now().date()


@pytest.fixture
def settings(base_settings, smtp):
    return dict(base_settings, **smtp.settings)


@pytest.fixture
def world(site):
    with site.edit() as root:
        school = add_organiser(root, "taipei", "353601", "臺北市立甲國民小學")
        school.email = "school@example.org"
        quiet = add_organiser(root, "taipei", "353602", "臺北市立乙國民小學")
        far = add_organiser(root, "kaohsiung", "583601", "高雄市立丙國民小學")
        add_staff(root, "a-admin", school, "principal_admin")
        add_staff(root, "c-admin", far, "principal_admin")
        add_staff(root, "b-admin", quiet, "principal_admin")
        # Taipei keeps the default: a month after the course (001).
        add_ended_course(root, school, "逾期一", day=TODAY - timedelta(days=32))
        add_ended_course(root, school, "逾期二", day=TODAY - timedelta(days=50),
                         state="roster_returned")
        add_ended_course(root, school, "剛結束", day=TODAY - timedelta(days=27))   # not yet due
        add_ended_course(root, quiet, "已送出", day=TODAY - timedelta(days=50),
                         state="roster_pending")
        root["centres"]["kaohsiung"].roster_days = 3
        add_ended_course(root, far, "高雄逾期", day=TODAY - timedelta(days=4))


def test_each_organiser_with_overdue_rosters_gets_one_mail(world, site, smtp, config):
    with transaction.manager:
        sent = site.read(lambda root: send_reminders(root, config.registry))
    assert [(code, count) for code, count, _ in sent] == [("353601", 2), ("583601", 1)]
    by_to = {m["To"]: m for m in smtp.messages}
    assert set(by_to) == {"school@example.org, a-admin@example.org", "c-admin@example.org"}
    message = by_to["school@example.org, a-admin@example.org"]
    assert message["Subject"] == SUBJECT
    text = message.get_content()
    assert "逾期一" in text and "逾期二" in text and "剛結束" not in text and "研習結束後一個月內" in text
    assert "3 天內" in by_to["c-admin@example.org"].get_content()


def test_nothing_is_sent_when_the_transaction_aborts(world, site, smtp, config):
    transaction.begin()
    site.read(lambda root: send_reminders(root, config.registry))
    transaction.abort()
    assert smtp.messages == []


def test_the_console_command_runs(ini):  # noqa: F811
    result = run(ini, "remind-rosters")
    assert result.returncode == 0, result.stderr
    assert "reminders sent to 0 organiser(s)" in result.stdout
