#!/usr/bin/env python3
"""A DNS proxy on 127.0.0.1 that delays every answer by a fixed time.

    python3 bench/delay_proxy.py UPSTREAM_PORT DELAY_MS [LISTEN_PORT]

Forwards each query (UDP and TCP) to 127.0.0.1:UPSTREAM_PORT at once and
sends the answer back DELAY_MS after the query arrived, so every lookup
takes about DELAY_MS (plus the upstream's own sub-millisecond time). Prints
the port it listens on (UDP and TCP), then serves until its standard input
closes. Stands in for `tc qdisc add dev lo root netem delay 50ms` in a
network namespace where the kernel has no netem (as on the project's
machine: "Specified qdisc kind is unknown"). Only loopback is ever used.
"""
import asyncio
import socket
import sys
import time

UP = ("127.0.0.1", int(sys.argv[1]))
DELAY = float(sys.argv[2]) / 1000.0
LISTEN = int(sys.argv[3]) if len(sys.argv) > 3 else 0


class Upstream(asyncio.DatagramProtocol):
    def __init__(self, fut):
        self.fut = fut

    def datagram_received(self, data, addr):
        if not self.fut.done():
            self.fut.set_result(data)

    def error_received(self, exc):
        if not self.fut.done():
            self.fut.set_exception(exc)


async def ask_udp(loop, query):
    fut = loop.create_future()
    tr, _ = await loop.create_datagram_endpoint(lambda: Upstream(fut), remote_addr=UP)
    try:
        tr.sendto(query)
        return await asyncio.wait_for(fut, 5)
    finally:
        tr.close()


class Front(asyncio.DatagramProtocol):
    def __init__(self, loop):
        self.loop = loop

    def connection_made(self, transport):
        self.tr = transport

    def datagram_received(self, data, addr):
        self.loop.create_task(self.handle(data, addr, time.monotonic()))

    async def handle(self, data, addr, t0):
        try:
            answer = await ask_udp(self.loop, data)
        except Exception:
            return
        await asyncio.sleep(max(0.0, t0 + DELAY - time.monotonic()))
        self.tr.sendto(answer, addr)


async def tcp_client(reader, writer):
    try:
        while True:
            hdr = await reader.readexactly(2)
            t0 = time.monotonic()
            query = await reader.readexactly(int.from_bytes(hdr, "big"))
            ur, uw = await asyncio.open_connection(*UP)
            uw.write(hdr + query)
            await uw.drain()
            ahdr = await ur.readexactly(2)
            answer = await ur.readexactly(int.from_bytes(ahdr, "big"))
            uw.close()
            await asyncio.sleep(max(0.0, t0 + DELAY - time.monotonic()))
            writer.write(ahdr + answer)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    loop = asyncio.get_running_loop()
    # One port for both: bind TCP first (port 0 picks one), then UDP on it.
    server = await asyncio.start_server(tcp_client, "127.0.0.1", LISTEN)
    port = server.sockets[0].getsockname()[1]
    await loop.create_datagram_endpoint(lambda: Front(loop), local_addr=("127.0.0.1", port),
                                        family=socket.AF_INET)
    print(port, flush=True)
    # Serve until stdin closes.
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


asyncio.run(main())
