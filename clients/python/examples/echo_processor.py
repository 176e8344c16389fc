#!/usr/bin/env python3
"""Echo: for every `demo/ping` under /demo, append `demo/pong {count}` to the same
stream, where count is the number of pings that stream has seen.

    python examples/echo_processor.py --server http://127.0.0.1:4437
    curl -X POST http://127.0.0.1:4437/streams/demo/a -d '{"type":"demo/ping"}'
    curl http://127.0.0.1:4437/streams/demo/a

Stop it with Ctrl-C (or SIGTERM) and start it again: it resumes from its
checkpoint, and the idempotency keys of its appends make sure no pong is
appended twice even if it was killed mid-way.
"""

import argparse
import logging
import os
import signal
import sys
import threading

try:
    from spool_client import Client, processor
except ImportError:  # running from a checkout without `pip install`
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from spool_client import Client, processor


def count_pings(state, event):
    if event["type"] == "demo/ping":
        return {"pings": state["pings"] + 1}
    return state


def make_echo(name="py-echo", prefix="/demo"):
    @processor(name, prefix=prefix, initial_state={"pings": 0}, reduce=count_pings)
    def echo(event, state, ctx):
        if event["type"] == "demo/ping":
            ctx.append("demo/pong", {"count": state["pings"]})

    return echo


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=os.environ.get("SPOOL_URL", "http://127.0.0.1:4437"))
    parser.add_argument("--name", default="py-echo", help="processor name (names its checkpoint)")
    parser.add_argument("--prefix", default="/demo", help="streams to follow")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    echo = make_echo(args.name, args.prefix)
    print(f"echo processor {args.name!r} following {args.prefix} on {args.server}", flush=True)
    echo.run(Client(args.server), stop=stop)
    print(f"stopped at position {echo.checkpoint}", flush=True)


if __name__ == "__main__":
    main()
