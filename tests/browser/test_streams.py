"""The stream tree, the live feed and the composer, in a real browser."""

import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import CARDS, click, attribute_values, card_offsets, card_types, open_console, text_of, wait


def test_tree_shows_streams_and_selecting_one_shows_its_events(page, server):
    server.append("/demo/tree/alpha", "note/added", {"text": "first"})
    server.append("/demo/tree/alpha", "note/added", {"text": "second"})
    server.append("/demo/tree/beta", "note/added", {"text": "other"})
    open_console(page, server)

    alpha = '[role=treeitem][data-path="/demo/tree/alpha"]'
    wait(page, lambda d: text_of(d, alpha + " .tree-head") == "2", "the tree does not list /demo/tree/alpha with its head")
    assert text_of(page, '[role=treeitem][data-path="/demo/tree/beta"]') is not None
    click(page, alpha)
    wait(page, lambda d: len(card_types(d)) == 2, "the feed does not show the two events")
    assert "#/streams/demo/tree/alpha" in page.current_url
    payloads = page.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(c => c.querySelector('.card-payload').textContent)", CARDS)
    assert payloads == ["text: first", "text: second"]

    # The prefix filter narrows the tree.
    page.find_element(By.ID, "tree-filter").send_keys("/demo/tree/b")
    wait(page, lambda d: not d.find_elements(By.CSS_SELECTOR, '[role=treeitem][data-path="/demo/tree/alpha"]'),
         "the prefix filter does not hide /demo/tree/alpha")
    assert page.find_elements(By.CSS_SELECTOR, '[role=treeitem][data-path="/demo/tree/beta"]')


def test_an_event_appended_over_http_appears_within_a_second(page, server):
    server.append("/demo/live", "note/added", {"n": 0})
    open_console(page, server, "#/streams/demo/live")
    wait(page, lambda d: len(card_types(d)) == 1, "the feed does not show the first event")
    wait(page, lambda d: "live" in d.find_element(By.CSS_SELECTOR, ".live-indicator").text, "the feed is not live")

    url_before = page.current_url
    started = time.monotonic()
    server.append("/demo/live", "build/finished", {"status": "green"})
    wait(page, lambda d: "build/finished" in card_types(d), "the appended event did not appear", timeout=1.0)
    assert time.monotonic() - started <= 1.0
    assert page.current_url == url_before  # no reload
    # The tree catches up too.
    wait(page, lambda d: text_of(d, '[role=treeitem][data-path="/demo/live"] .tree-head') == "2",
         "the tree head did not move")


def test_the_composer_appends_yaml_and_shows_errors(page, server):
    server.append("/demo/composer", "note/added", {"text": "before"})
    open_console(page, server, "#/streams/demo/composer")
    wait(page, lambda d: len(card_types(d)) == 1, "the feed does not show the first event")
    editor = page.find_element(By.ID, "composer-input")
    error = page.find_element(By.ID, "composer-error")

    def compose(text):
        editor.clear()
        editor.send_keys(text)
        page.find_element(By.ID, "composer-append").click()

    compose("type: deploy/requested\npayload:\n  service: billing\n  replicas: 3\n  tags: [blue, canary]\nmetadata:\n  source: browser-test\n")
    wait(page, lambda d: "deploy/requested" in card_types(d), "the YAML event was not appended")
    status, events = server.request("GET", "/streams/demo/composer")
    assert events[-1]["payload"] == {"service": "billing", "replicas": 3, "tags": ["blue", "canary"]}
    assert events[-1]["metadata"] == {"source": "browser-test"}
    assert not error.is_displayed()

    compose("type: deploy/requested\npayload:\n  service: billing\n bad: indentation\n")
    wait(page, lambda d: error.is_displayed(), "a malformed document shows no error")
    assert "YAML error" in error.text and "line 4" in error.text
    assert editor.get_attribute("aria-invalid") == "true"

    compose("type: not a valid type\n")
    wait(page, lambda d: "invalid_event" in error.text, "the server's refusal is not shown")

    compose('{"type": "json/works", "payload": {"ok": true}}')
    wait(page, lambda d: "json/works" in card_types(d), "the JSON event was not appended")
    wait(page, lambda d: not error.is_displayed(), "the error stays after a good append")
    assert len(server.request("GET", "/streams/demo/composer")[1]) == 3


def test_jump_to_offset_and_shareable_link(page, server):
    server.request("POST", "/streams/demo/jump", [{"type": "tick/happened", "payload": {"n": n}} for n in range(1, 601)])
    open_console(page, server, "#/streams/demo/jump")
    wait(page, lambda d: card_offsets(d)[-1:] == [600], "the newest event is not shown")
    assert page.find_element(By.ID, "feed-load-earlier").is_enabled()

    page.find_element(By.ID, "feed-jump").send_keys("42", Keys.ENTER)
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, 'article.card.highlighted[data-offset="42"]'),
         "jumping to offset 42 does not show it")
    assert page.current_url.endswith("#/streams/demo/jump?offset=42")

    # The link opens at that event.
    open_console(page, server, "#/streams/demo/jump?offset=7")
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, 'article.card.highlighted[data-offset="7"]'),
         "a link with an offset does not open at it")

    # Filter by type within what is shown.
    server.append("/demo/jump", "other/thing", {})
    type_filter = page.find_element(By.ID, "feed-type-filter")
    type_filter.send_keys("other/")
    wait(page, lambda d: card_types(d) == ["other/thing"], "the type filter does not narrow the feed")
