"""The processors page: checkpoints and lag, and resuming a stream the circuit breaker paused."""

from selenium.webdriver.common.by import By

from conftest import open_console, wait


def test_processors_page_lists_processors_and_resumes_a_paused_stream(page, server):
    server.append("/demo/hot", "spool/circuit-breaker-configured", {"maxEvents": 3, "windowSeconds": 60})
    status = 201
    for n in range(20):
        status, _ = server.request("POST", "/streams/demo/hot", {"type": "hot/tick", "payload": {"n": n}})
        if status == 423:
            break
    wait(page, lambda _: server.request("POST", "/streams/demo/hot", {"type": "hot/tick"})[0] == 423,
         "the circuit breaker did not pause /demo/hot")

    open_console(page, server, "#/processors")
    rows = wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#processors-table tbody tr"), "no processors listed")
    names = [row.get_attribute("data-processor") for row in rows]
    assert "demo-ping-pong" in names and "circuit-breaker" in names and "agent" in names
    resume = wait(page, lambda d: [b for b in d.find_elements(By.CSS_SELECTOR, "#paused-streams button.resume")
                                   if b.text == "Resume /demo/hot"], "the paused stream has no resume button")[0]
    resume.click()
    wait(page, lambda d: not [b for b in d.find_elements(By.CSS_SELECTOR, "#paused-streams button.resume")
                              if b.text == "Resume /demo/hot"], "the stream still shows as paused")
    assert server.request("POST", "/streams/demo/hot", {"type": "hot/tick"})[0] == 201
