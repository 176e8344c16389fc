"""The agent view with the offline echo provider: a streamed answer, and tool approvals."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import card_types, open_console, wait


def say(page, text):
    box = page.find_element(By.ID, "chat-input")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def test_the_agent_view_shows_the_streamed_answer(page, server):
    open_console(page, server, "#/streams/agents/console-chat")
    wait(page, lambda d: d.find_element(By.ID, "tab-agent").get_attribute("aria-selected") == "true",
         "an agent's stream does not open on the agent view")
    say(page, "hello from the browser")
    answer = wait(page, lambda d: [a for a in d.find_elements(By.CSS_SELECTOR, ".chat-answer")
                                   if "You said: hello from the browser" in a.text],
                  "the echo answer does not appear")[0]
    assert "hello from the browser" in page.find_element(By.CSS_SELECTOR, ".chat-message.role-user").text
    # The answer arrived as llm/output-delta events, which the raw feed beside the chat shows.
    wait(page, lambda d: "llm/response-completed" in card_types(d), "the feed does not show the turn")
    assert "llm/output-delta" in card_types(page)
    assert "streaming" not in answer.find_element(By.XPATH, "..").get_attribute("class")


def test_a_tool_call_waits_for_approval_and_runs_when_approved(page, server):
    server.append("/agents/console-approve", "agent/configured",
                  {"provider": "echo", "tools": ["append_event"], "requireApproval": ["append_event"]})
    open_console(page, server, "#/streams/agents/console-approve?tab=agent")
    wait(page, lambda d: d.find_elements(By.ID, "chat-input"), "the agent view does not open")
    say(page, '/tool append_event {"path":"/agents/console-approve/notes","type":"note/added","payload":{"x":1}}')

    approve = wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, ".tool-awaiting-approval button.approve"),
                   "no approval button for the pending tool call")[0]
    assert approve.text == "Approve append_event"
    assert server.request("GET", "/streams/agents/console-approve/notes")[0] == 404  # nothing ran yet
    approve.click()
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, ".chat-tool.tool-completed"), "the approved call did not complete")
    status, notes = server.request("GET", "/streams/agents/console-approve/notes")
    assert status == 200 and notes[0]["type"] == "note/added"
    assert "tool/approval-granted" in card_types(page)

    # A denied call never runs.
    say(page, '/tool append_event {"path":"/agents/console-approve/notes","type":"note/denied","payload":{}}')
    deny = wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, ".tool-awaiting-approval button.deny"),
                "no deny button for the second call")[0]
    deny.click()
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, ".chat-tool.tool-denied"), "the denied call is not shown as denied")
    wait(page, lambda d: "tool/approval-denied" in card_types(d), "the denial is not in the feed")
    assert [note["type"] for note in server.request("GET", "/streams/agents/console-approve/notes")[1]] == ["note/added"]
