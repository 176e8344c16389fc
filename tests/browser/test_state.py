"""Time travel: the demo processor's state at the head and at an earlier offset, and a diff."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import card_types, open_console, wait


def test_time_travel_shows_the_state_at_an_earlier_offset(page, server):
    for _ in range(3):
        server.append("/demo/travel", "demo/ping")
    # demo-ping-pong answers each ping with a pong: 6 events once it caught up.
    wait(page, lambda _: len(server.request("GET", "/streams/demo/travel")[1]) == 6, "the demo processor did not answer")

    open_console(page, server, "#/streams/demo/travel?tab=state")
    wait(page, lambda d: len(card_types(d)) == 6, "the feed does not show the six events")
    processor = page.find_element(By.ID, "state-processor")
    wait(page, lambda d: processor.get_attribute("value") == "demo-ping-pong", "demo-ping-pong is not picked")
    output = page.find_element(By.ID, "state-output")
    wait(page, lambda d: output.get_attribute("data-offset") == "6", "the state at the head is not shown")
    assert "pings: 3" in output.text and "pongs: 3" in output.text

    offset = page.find_element(By.ID, "state-offset-number")
    offset.clear()
    offset.send_keys("1", Keys.ENTER)
    wait(page, lambda d: output.get_attribute("data-offset") == "1", "the state at offset 1 is not shown")
    assert "pings: 1" in output.text and "pongs: 0" in output.text
    assert page.find_element(By.ID, "state-offset").get_attribute("value") == "1"

    # The slider moves through offsets with the keyboard.
    slider = page.find_element(By.ID, "state-offset")
    slider.send_keys(Keys.ARROW_RIGHT)
    wait(page, lambda d: output.get_attribute("data-offset") == "2", "the slider does not travel")
    assert "pongs: 1" in output.text

    diff_from = page.find_element(By.ID, "diff-from")
    diff_from.clear()
    diff_from.send_keys("1")
    page.find_element(By.ID, "diff-button").click()
    changes = wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#diff-output li"), "the diff shows nothing")
    text = " ".join(change.text for change in changes)
    assert "pings" in text and "− 1" in text and "+ 3" in text
