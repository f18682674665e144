"""溝通: how the portal speaks to its users.

``news`` keeps 最新消息 (resources/news.py holds the items, workflows/news.py their states);
``newsletter`` composes and sends 電子報 as a job (resources/newsletter.py, workflows/…);
``messages`` delivers 線上短訊 to inboxes and by mail; ``feedback`` runs the courses'
課程意見回饋問卷 (item 26); ``faq`` keeps 問答集 and ``contact`` 意見交流's tickets;
``survey`` runs the yearly 網站滿意度調查;
``notices`` mails the organiser at each step of its course's workflow; ``subscriptions`` keeps
the teachers' 研習資訊訂閱 and ``digests`` mails them, and the reviewers' daily summary, each
morning; ``unsubscribe`` signs the one-click links those mails carry; ``recipients`` names who
is mailed for a unit; ``links`` makes the absolute addresses mail needs.
"""
from BTrees.OOBTree import OOBTree

from ..resources.news import ensure_news_room
from ..resources.newsletter import ensure_newsletter_room
from ..workflows.api import IObjectTransitioned
from .contact import ensure_tickets
from .faq import ensure_faq
from .messages import ensure_messages
from .subscriptions import ensure_subscriptions
from .survey import ensure_surveys


def ensure(root):
    """What comms keeps on the root, made where missing (a new root, evolve step 35)."""
    ensure_subscriptions(root)
    ensure_news_room(root)
    ensure_newsletter_room(root)
    ensure_messages(root)
    ensure_faq(root)
    ensure_tickets(root)
    ensure_surveys(root)
    for name in ("digest_days", "feedback_open"):
        if getattr(root, name, None) is None:
            setattr(root, name, OOBTree())


def includeme(config):
    from . import feedback, notices
    config.add_subscriber(notices.on_transitioned, IObjectTransitioned)
    config.add_subscriber(feedback.on_transitioned, IObjectTransitioned)
