"""With SPOOL_AUTH_TOKEN set, the console loads without the token, asks for it, and then works."""

import pytest
from selenium.webdriver.common.by import By

from conftest import SpoolServer, open_console, wait

TOKEN = "browser-test-token"


@pytest.fixture
def secured_server():
    spool = SpoolServer(token=TOKEN)
    yield spool
    spool.stop()


def test_the_console_asks_for_the_token_and_sends_it(page, secured_server):
    secured_server.append("/demo/secret", "note/added", {"text": "for token holders"})
    open_console(page, secured_server, "#/streams/demo/secret")
    dialog = wait(page, lambda d: d.find_element(By.ID, "token-dialog").get_attribute("open") is not None and
                  d.find_element(By.ID, "token-dialog"), "the console does not ask for the token")
    assert "needs a bearer token" in dialog.text
    page.find_element(By.ID, "token-input").send_keys(TOKEN)
    page.find_element(By.ID, "token-save").click()
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, '[role=treeitem][data-path="/demo/secret"]'),
         "the tree stays empty with the token")
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, 'article.card[data-type="note/added"]'),
         "the feed stays empty with the token")
    assert page.execute_script("return sessionStorage.getItem('spool.token')") == TOKEN
    # Live reads carry the token too: an append shows up.
    secured_server.append("/demo/secret", "note/added", {"text": "live"})
    wait(page, lambda d: len(d.find_elements(By.CSS_SELECTOR, 'article.card[data-type="note/added"]')) == 2,
         "the live read does not work with the token")
    page.execute_script("sessionStorage.clear()")
