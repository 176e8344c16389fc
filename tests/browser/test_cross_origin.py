"""Pages of other origins, in a real browser: one cannot append to Spool, not even with a
request whose answer it never reads; one of an origin Spool lists (--allowed-origin) can
append, read the answer and tail a stream live (CORS)."""

import http.server
import threading
import urllib.request

import pytest

from conftest import SpoolServer


class PageServer:
    """One blank page on another loopback port: an origin other than Spool's."""

    def __init__(self):
        class Page(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"<!doctype html><title>another origin</title>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *arguments):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def elsewhere(browser):
    pages = PageServer()
    browser.get(pages.url + "/")
    yield pages
    browser.get("about:blank")
    pages.stop()


def refused_appends(server):
    """How many appends the server refused with 403, from its metrics."""
    with urllib.request.urlopen(server.url + "/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith('spool_http_requests_total{method="POST",route="/streams/**",status="403"}'):
                return float(line.rsplit(" ", 1)[1])
    return 0


# A "simple" request: the browser sends it without asking the server first, and the page needs no
# answer to do harm. The browser hides the answer from the page (an opaque response).
FORGE = """
const [url, done] = [arguments[0], arguments[arguments.length - 1]];
fetch(url, {method: 'POST', mode: 'no-cors', headers: {'Content-Type': 'text/plain'},
            body: JSON.stringify({type: 'note/added', payload: {text: 'forged'}})})
  .then(response => done({type: response.type}), error => done({error: String(error)}));
"""


def test_a_page_of_another_origin_cannot_append(browser, server, elsewhere):
    refused = refused_appends(server)
    result = browser.execute_async_script(FORGE, server.url + "/streams/browser/forged")
    assert result == {"type": "opaque"}
    assert refused_appends(server) == refused + 1, "the request reached the server and was refused"
    status, body = server.request("GET", "/streams/browser/forged")
    assert (status, body["error"]["code"]) == (404, "stream_not_found"), "nothing was stored"


APPEND_AND_TAIL = """
const [base, done] = [arguments[0], arguments[arguments.length - 1]];
(async () => {
  const response = await fetch(base + '/streams/browser/app', {
    method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({type: 'note/added', payload: {text: 'from the app'}})});
  const event = await response.json();
  const live = await new Promise((resolve, reject) => {
    const source = new EventSource(base + '/streams/browser/app?live=true');
    source.onmessage = message => { source.close(); resolve(JSON.parse(message.data)); };
    source.onerror = () => { source.close(); reject(new Error('the live read failed')); };
  });
  return {status: response.status, offset: event.offset, head: response.headers.get('Spool-Head-Offset'),
          live: live.payload.text};
})().then(done, error => done({error: String(error)}));
"""


def test_a_listed_origin_may_append_read_and_tail(browser, elsewhere):
    spool = SpoolServer(extra_args=["--allowed-origin", elsewhere.url])
    try:
        result = browser.execute_async_script(APPEND_AND_TAIL, spool.url)
        assert result == {"status": 201, "offset": 1, "head": "1", "live": "from the app"}
    finally:
        spool.stop()
