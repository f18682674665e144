"""Driving a page with the keyboard alone, counting every key pressed."""
from playwright.sync_api import expect

IS_FOCUSED = "e => e === document.activeElement"
INSIDE = "e => e === document.activeElement || e.contains(document.activeElement)"
# Which way to Tab: +1 when the target follows the focused element (or nothing is focused).
DIRECTION = """e => { const a = document.activeElement;
  if (!a || a === document.body || a === e) return 1;
  return (a.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING) ? 1 : -1; }"""
FOCUSED = """() => { const a = document.activeElement;
  return a ? `${a.tagName.toLowerCase()} ${a.getAttribute('name') || a.id || ''} ${
    (a.innerText || a.value || '').slice(0, 40)}` : 'nothing'; }"""


class Keyboard:
    def __init__(self, page):
        self.page = page
        self.count = 0

    def press(self, key, times=1):
        for _ in range(times):
            self.page.keyboard.press(key)
            self.count += 1

    def type(self, text):
        self.page.keyboard.type(text)
        self.count += len(text)

    def tab_to(self, locator, limit=200):
        """Tab (or Shift+Tab) until ``locator`` has focus; fails after ``limit`` presses."""
        key = "Tab" if locator.evaluate(DIRECTION) > 0 else "Shift+Tab"
        for _ in range(limit):
            if locator.evaluate(IS_FOCUSED):
                return
            self.press(key)
        raise AssertionError(f"{limit} × {key} never reached {locator}; "
                             f"focus is on {self.focused()}")

    def focused(self) -> str:
        return self.page.evaluate(FOCUSED)

    def expect_focus_in(self, locator):
        expect(locator).to_be_visible()
        assert locator.evaluate(INSIDE), f"focus is on {self.focused()}, not in {locator}"
