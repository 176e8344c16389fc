"""Fixtures for the web console's browser tests: one real `spool serve --demo` and one
headless Chromium (Debian's `chromium` and `chromium-driver`) for the whole session.
Screenshots go to `.test-artifacts/browser/`. Only loopback is ever contacted."""

import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / ".test-artifacts" / "browser"
WAIT_SECONDS = 10


def spool_binary() -> Path:
    path = Path(os.environ.get("SPOOL_BINARY", ".build/debug/spool"))
    path = path if path.is_absolute() else REPO_ROOT / path
    if not path.exists():
        pytest.fail(f"Spool binary not found at {path}; run `swift build` or set SPOOL_BINARY")
    return path


class SpoolServer:
    """`spool serve --demo --port 0` on a temporary data directory, with the offline echo provider."""

    def __init__(self, token=None, extra_args=()):
        self.data_dir = tempfile.mkdtemp(prefix="spool-browser-test-")
        self.token = token
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("SPOOL_", "OPENAI_", "ANTHROPIC_"))}
        if token:
            env["SPOOL_AUTH_TOKEN"] = token
        self.stderr = open(os.path.join(self.data_dir, "server.stderr"), "wb")
        # A high default circuit-breaker limit: the large-stream test appends 100,000 events at once.
        self.process = subprocess.Popen(
            [str(spool_binary()), "serve", "--demo", "--host", "127.0.0.1", "--port", "0", "--data", self.data_dir,
             "--log-level", "warning", "--circuit-breaker", "100000/0.001s", *extra_args],
            stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL, env=env)
        try:
            self.url = self._announced_url(timeout=20)
        except BaseException:
            self.stop()
            raise
        threading.Thread(target=self._drain, daemon=True).start()

    def _announced_url(self, timeout):
        deadline = time.monotonic() + timeout
        data = b""
        while b"\n" not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise RuntimeError(f"spool serve did not announce its address: {data!r}")
            ready, _, _ = select.select([self.process.stdout], [], [], remaining)
            if ready:
                data += os.read(self.process.stdout.fileno(), 4096)
        line = data.split(b"\n", 1)[0].decode()
        prefix = "Spool listening on "
        if not line.startswith(prefix):
            raise RuntimeError(f"unexpected first line from spool serve: {line!r}")
        return line[len(prefix):].split(" ", 1)[0]

    def _drain(self):
        while self.process.stdout.read(4096):
            pass

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.stderr.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def request(self, method, target, body=None):
        """Sends JSON to the API (as curl would); answers (status, parsed body)."""
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + target, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def append(self, path, event_type, payload=None, **fields):
        status, body = self.request("POST", f"/streams{path}", {"type": event_type, "payload": payload or {}, **fields})
        assert status in (200, 201), body
        return body


@pytest.fixture(scope="session")
def server():
    spool = SpoolServer()
    yield spool
    spool.stop()


@pytest.fixture(scope="session")
def browser():
    options = webdriver.ChromeOptions()
    for path in ("/usr/bin/chromium", "/usr/lib/chromium/chromium"):
        if os.path.exists(path):
            options.binary_location = path
            break
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1440,900", "--no-first-run", "--disable-extensions",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        options.add_argument(argument)
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture
def page(browser, server, request):
    """The browser, with a screenshot of what it shows saved after each test, passed or failed."""
    yield browser
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"{request.node.name}.png"))


def wait(driver, condition, message, timeout=WAIT_SECONDS):
    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition, message)


def open_console(driver, server, fragment=""):
    """Loads the console afresh at `fragment` (e.g. `#/streams/demo/a`): a new document, not a hash change."""
    driver.get("about:blank")
    driver.get(server.url + "/" + fragment)
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete", "the page did not load")


CARDS = ".feed-viewport article.card:not(.placeholder)"


def card_types(driver):
    """The types of the event cards in the page, top to bottom (read in the page: rows are redrawn often)."""
    return attribute_values(driver, CARDS, "data-type")


def card_offsets(driver):
    return [int(offset) for offset in attribute_values(driver, CARDS, "data-offset")]


def click(driver, selector):
    """Finds and clicks in one step in the page, so a redraw in between cannot leave a stale element."""
    driver.execute_script("document.querySelector(arguments[0]).click()", selector)


def text_of(driver, selector):
    """The text of the first element matching `selector`, read in the page (never stale), or None."""
    return driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.textContent : null", selector)


def attribute_values(driver, selector, attribute):
    """`attribute` of every element matching `selector`, read in one go in the page."""
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.getAttribute(arguments[1]))", selector, attribute)
