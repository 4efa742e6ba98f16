#!/usr/bin/env python3
"""The Python side of `cargo bench --bench engine`, run with the venv's python that holds
telnetlib3 5.0.1 (scripts/install-peers.sh puts it in $TELNETLIB3_PEERS/venv).

    bench-engine-client.py connect PORT CYCLES [TIMEOUT]
        CYCLES sequential cycles against 127.0.0.1:PORT, each: open_connection (telnetlib3's
        client answers every option it is asked about: TTYPE, NAWS, NEW_ENVIRON, CHARSET, ...),
        read until the first "tel:sh>", close. Prints one line per cycle, its time in
        milliseconds, or "error: ..." and exits 1. Every step is bounded by TIMEOUT seconds
        (default 5).

    bench-engine-client.py serve
        `telnetlib3-server 127.0.0.1 0` with the command's own defaults (telnet_server_shell,
        utf8, connect_maxwait 1.5, info logging to stderr), except that it prints "port N" on
        stdout once bound, and exits when its stdin closes (so it never outlives the bench).
"""

import asyncio
import os
import sys
import threading
import time

import telnetlib3
import telnetlib3.server

PROMPT = "tel:sh>"


async def one_cycle(port: int, timeout: float) -> float:
    start = time.perf_counter()
    reader, writer = await telnetlib3.open_connection(
        "127.0.0.1", port, connect_minwait=0, connect_maxwait=3.0, connect_timeout=timeout
    )
    seen = ""
    try:
        while PROMPT not in seen:
            chunk = await asyncio.wait_for(reader.read(4096), timeout)
            if not chunk:
                raise ConnectionError(f"closed before {PROMPT!r}; got {seen[-200:]!r}")
            seen = (seen + chunk)[-4096:]
    finally:
        writer.close()
    return (time.perf_counter() - start) * 1000.0


async def connect(port: int, cycles: int, timeout: float) -> int:
    for _ in range(cycles):
        try:
            ms = await asyncio.wait_for(one_cycle(port, timeout), timeout * 2)
        except Exception as err:  # every failure ends the run with one line
            print(f"error: {type(err).__name__}: {err}", flush=True)
            return 1
        print(f"{ms:.3f}", flush=True)
    return 0


def serve() -> None:
    real_create_server = telnetlib3.server.create_server

    async def create_server(*args, **kwargs):
        server = await real_create_server(*args, **kwargs)
        print(f"port {server.sockets[0].getsockname()[1]}", flush=True)
        return server

    telnetlib3.server.create_server = create_server

    def watch_stdin() -> None:
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    sys.argv = [sys.argv[0], "127.0.0.1", "0"]
    telnetlib3.server.main()


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["connect"] and len(args) in (3, 4):
        timeout = float(args[3]) if len(args) == 4 else 5.0
        return asyncio.run(connect(int(args[1]), int(args[2]), timeout))
    if args == ["serve"]:
        serve()
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
