"""Abuse limits: how often one client address, or one account, may fail a login or a
second-factor code, ask for mail (reset links, confirmations), sign up, or try check-in codes.

Moving windows of the ``limits`` library, counted in the process by default
(``throttle.storage = memory://``) and in Redis where several processes serve
(``redis://127.0.0.1:6379/0``), so that every process counts the same tries. Each limit can be
set in the ini file (``throttle.login.client = 30/minute;300/hour``). Over a limit,
``Throttled`` is raised and the views answer 429 with Retry-After.
"""
import math
import time

from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

LIMITS = {
    "login.client": "30/minute;300/hour",   # failed logins (page and API), per client address
    "otp.client": "30/minute",              # wrong second-factor codes, per client address
    "mail.client": "30/minute",             # reset and confirmation mails asked, per address
    "mail.account": "3/hour",               # … and mailed, per account (as typed)
    "confirm.account": "3/hour",            # confirmation links sent again, per account
    "signup.client": "30/hour",             # sign-ups sent, per client address
    "checkin.account": "20/minute",         # check-in codes tried, per teacher
    "proof.account": "20/day",              # 研習時數證明 issued, per teacher (each is kept)
    "pdf.account": "10/minute;60/hour",     # PDFs laid out (WeasyPrint takes the CPU), per account
    "ask.client": "10/hour",                # 意見交流 questions sent, per client address
}
MESSAGE = "嘗試次數過多，請於 {minutes} 分鐘後再試。"


class Throttled(Exception):
    def __init__(self, retry_after: float):
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(MESSAGE.format(minutes=max(1, math.ceil(self.retry_after / 60))))


class Throttle:
    def __init__(self, settings):
        self.storage = storage_from_string(settings.get("throttle.storage", "memory://"))
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.limits = {name: parse_many(settings.get(f"throttle.{name}", default))
                       for name, default in LIMITS.items()}

    def check(self, name: str, key: str):
        """Raise Throttled when ``key`` has used up ``name`` (counts nothing)."""
        for item in self.limits[name]:
            if not self.limiter.test(item, name, key):
                raise Throttled(self._wait(item, name, key))

    def hit(self, name: str, key: str) -> bool:
        """Count one try; False when it was over the limit."""
        return all([self.limiter.hit(item, name, key) for item in self.limits[name]])

    def take(self, name: str, key: str):
        """Count one try, raising Throttled when it was over the limit."""
        if not self.hit(name, key):
            self.check(name, key)
            raise Throttled(1)

    def _wait(self, item, name, key) -> float:
        reset_at, _ = self.limiter.get_window_stats(item, name, key)
        return reset_at - time.time()

    def reset(self):
        self.storage.reset()


def of(request) -> Throttle:
    return request.registry.throttle


def client(request) -> str:
    return request.client_addr or "unknown"


def includeme(config):
    config.registry.throttle = Throttle(config.registry.settings)
