"""The agent view with the offline echo provider: a streamed answer, and tool approvals."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import ARTIFACTS, card_types, click, open_console, text_of, wait


def save_docs_screenshots(page):
    """The README's picture (docs/console.png is copied from here), in light and in dark mode."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.save_screenshot(str(ARTIFACTS / "console-agent-approval.png"))
    page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        page.save_screenshot(str(ARTIFACTS / "console-agent-approval-dark.png"))
    finally:
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def say(page, text):
    box = page.find_element(By.ID, "chat-input")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def test_the_agent_view_shows_the_streamed_answer(page, server):
    open_console(page, server, "#/streams/agents/console-chat")
    wait(page, lambda d: d.find_element(By.ID, "tab-agent").get_attribute("aria-selected") == "true",
         "an agent's stream does not open on the agent view")
    say(page, "hello from the browser")
    wait(page, lambda d: "You said: hello from the browser" in (text_of(d, ".chat-answer") or ""),
         "the echo answer does not appear")
    assert "hello from the browser" in text_of(page, ".chat-message.role-user")
    # The answer arrived as llm/output-delta events, which the raw feed beside the chat shows.
    wait(page, lambda d: "llm/response-completed" in card_types(d), "the feed does not show the turn")
    assert "llm/output-delta" in card_types(page)
    wait(page, lambda d: not d.find_elements(By.CSS_SELECTOR, ".chat-message.streaming"), "the answer stays marked as streaming")


def test_a_tool_call_waits_for_approval_and_runs_when_approved(page, server):
    server.append("/agents/console-approve", "agent/configured",
                  {"provider": "echo", "tools": ["append_event"], "requireApproval": ["append_event"]})
    open_console(page, server, "#/streams/agents/console-approve?tab=agent")
    wait(page, lambda d: d.find_elements(By.ID, "chat-input"), "the agent view does not open")
    say(page, "please note x = 1")
    wait(page, lambda d: "You said: please note x = 1" in (text_of(d, ".chat-answer") or ""), "no answer to the first message")
    say(page, '/tool append_event {"path":"/agents/console-approve/notes","type":"note/added","payload":{"x":1}}')

    approve_button = ".tool-awaiting-approval button.approve"
    wait(page, lambda d: text_of(d, approve_button) == "Approve append_event", "no approval button for the pending tool call")
    assert server.request("GET", "/streams/agents/console-approve/notes")[0] == 404  # nothing ran yet
    save_docs_screenshots(page)
    click(page, approve_button)
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, ".chat-tool.tool-completed"), "the approved call did not complete")
    status, notes = server.request("GET", "/streams/agents/console-approve/notes")
    assert status == 200 and notes[0]["type"] == "note/added"
    assert "tool/approval-granted" in card_types(page)

    # A denied call never runs.
    say(page, '/tool append_event {"path":"/agents/console-approve/notes","type":"note/denied","payload":{}}')
    deny_button = ".tool-awaiting-approval button.deny"
    wait(page, lambda d: text_of(d, deny_button) == "Deny append_event", "no deny button for the second call")
    click(page, deny_button)
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, ".chat-tool.tool-denied"), "the denied call is not shown as denied")
    wait(page, lambda d: "tool/approval-denied" in card_types(d), "the denial is not in the feed")
    assert [note["type"] for note in server.request("GET", "/streams/agents/console-approve/notes")[1]] == ["note/added"]
