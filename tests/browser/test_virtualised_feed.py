"""A 100,000-event stream: the feed keeps only the rows in view in the page, and jumps fast.
(Runs last: the server's processors then have 100,000 events to fold.)"""

import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import open_console, wait

EVENTS = 100_000
BATCH = 10_000


def test_a_large_stream_stays_fast(page, server):
    for start in range(0, EVENTS, BATCH):
        status, _ = server.request("POST", "/streams/bulk/large",
                                   [{"type": "bulk/row", "payload": {"n": n}} for n in range(start + 1, start + BATCH + 1)])
        assert status == 201
    open_console(page, server, "#/streams/bulk/large")
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, f'article.card[data-offset="{EVENTS}"]:not(.placeholder)'),
         "the newest event is not shown")
    assert "of 100,000" in page.find_element(By.CSS_SELECTOR, ".feed-summary").text
    assert len(page.find_elements(By.CSS_SELECTOR, ".feed-viewport article")) < 100

    started = time.monotonic()
    page.find_element(By.ID, "feed-jump").send_keys("50000", Keys.ENTER)
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, 'article.card.highlighted[data-offset="50000"]:not(.placeholder)'),
         "jumping to offset 50000 does not show it")
    assert time.monotonic() - started < 3
    assert len(page.find_elements(By.CSS_SELECTOR, ".feed-viewport article")) < 100
    assert "of 100,000" in page.find_element(By.CSS_SELECTOR, ".feed-summary").text

    # Scrolling to the very top of the window loads those events on demand.
    page.execute_script("document.querySelector('.feed-viewport').scrollTop = 0")
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, 'article.card[data-offset="50000"]:not(.placeholder)'),
         "the top of the window does not load")
