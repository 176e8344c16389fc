"""The processors page: checkpoints and lag, and resuming a stream the circuit breaker paused."""

from conftest import attribute_values, open_console, text_of, wait


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
    names = wait(page, lambda d: attribute_values(d, "#processors-table tbody tr", "data-processor"), "no processors listed")
    assert "demo-ping-pong" in names and "circuit-breaker" in names and "agent" in names
    resume_button = '#paused-streams li[data-path="/demo/hot"] button.resume'
    wait(page, lambda d: text_of(d, resume_button) == "Resume /demo/hot", "the paused stream has no resume button")
    # The list is redrawn every two seconds: find the button and click it in one step.
    page.execute_script("document.querySelector(arguments[0]).click()", resume_button)
    wait(page, lambda d: text_of(d, resume_button) is None, "the stream still shows as paused")
    assert server.request("POST", "/streams/demo/hot", {"type": "hot/tick"})[0] == 201
