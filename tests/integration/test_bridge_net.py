#!/usr/bin/env python3
"""test_bridge_net.py: the bridge's NET work mode against real servers on
127.0.0.1: welcome message, bytes exact both ways on sockets A and B (TCP
and UDP), SOCKIDEN, register and heartbeat packets, reconnect with the
cache delivered in order, a server that stops reading does not stall the
other socket, short connections, status and bad settings refused.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cgtest import check, run_tests, wait_for  # noqa: E402
from bridge_util import (Pty, TcpServer, UdpServer, bstatus, get, set_,  # noqa: E402
                         start_daemon)

PATTERN = bytes(range(256)) * 256          # 64 KiB, every byte value


def sock_state(d, which):
    return bstatus(d)["socket_" + which]["state"]


def connect_both(d, a, b, bproto="TCP"):
    set_(d, "bridge.reconnect_min", "200")
    set_(d, "SOCKA", "TCP,127.0.0.1,%d" % a.port)
    set_(d, "SOCKB", "%s,127.0.0.1,%d" % (bproto, b.port))
    set_(d, "SOCKAEN", "on")
    set_(d, "SOCKBEN", "on")
    wait_for(lambda: sock_state(d, "a") == "connected", 10, "socket A")
    wait_for(lambda: sock_state(d, "b") == "connected", 10, "socket B")


def test_tcp_both_ways():
    a, b = TcpServer(), TcpServer()
    d = start_daemon()
    try:
        p = Pty(os.path.join(d.dir, "data"))
        check(p.expect(b"cellgate\r\n", 5), "welcome message (STMSG) on "
              "the data port")
        check(bstatus(d)["socket_a"]["state"] == "disabled",
              "sockets are off by default")
        connect_both(d, a, b)
        check(d.at("AT+SOCKALK")[1].startswith("+SOCKALK:connected"),
              "AT+SOCKALK says connected")
        p.write(PATTERN)
        ra = a.wait_bytes(len(PATTERN))
        rb = b.wait_bytes(len(PATTERN))
        check(ra == PATTERN, "serial -> socket A: 64 KiB exact")
        check(rb == PATTERN, "serial -> socket B: 64 KiB exact")
        a.send(PATTERN)
        got = p.read_n(len(PATTERN))
        check(got == PATTERN, "socket A -> serial: 64 KiB exact")
        b.send(PATTERN[::-1])
        got = p.read_n(len(PATTERN))
        check(got == PATTERN[::-1], "socket B -> serial: 64 KiB exact")
        set_(d, "SOCKIDEN", "on")
        a.send(b"hello")
        check(p.expect(b"[A]hello"), "SOCKIDEN prefixes [A]")
        b.send(b"world")
        check(p.expect(b"[B]world"), "SOCKIDEN prefixes [B]")
        st = bstatus(d)
        check(st["socket_a"]["tx_bytes"] >= len(PATTERN) and
              st["socket_a"]["rx_bytes"] >= len(PATTERN),
              "status counts bytes")
        p.close()
    finally:
        check(d.stop() == 0, "daemon exits cleanly")
        check(not os.path.lexists(os.path.join(d.dir, "data")),
              "pty link removed at shutdown")
        d.cleanup()
        a.close()
        b.close()


def test_udp():
    a, u = TcpServer(), UdpServer()
    d = start_daemon()
    try:
        p = Pty(os.path.join(d.dir, "data"))
        p.drain()
        connect_both(d, a, u, "UDP")
        p.write(b"datagram one")
        check(u.recv() == b"datagram one", "serial -> UDP socket B")
        u.send(b"reply\x00\xff")
        check(p.expect(b"reply\x00\xff"), "UDP socket B -> serial")
        check(a.wait_bytes(12).endswith(b"datagram one"),
              "the same data on TCP socket A")
        p.close()
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()
        a.close()
        u.close()


def test_register_heartbeat():
    a = TcpServer()
    d = start_daemon()
    try:
        p = Pty(os.path.join(d.dir, "data"))
        p.drain()
        set_(d, "REGEN", "on")
        set_(d, "REGTP", "REGDT")
        set_(d, "REGDT", "7777772E7573722E636E")
        set_(d, "REGSND", "link")
        set_(d, "SOCKA", "TCP,127.0.0.1,%d" % a.port)
        set_(d, "SOCKAEN", "on")
        wait_for(lambda: sock_state(d, "a") == "connected", 10, "A")
        check(a.wait_bytes(10) == b"www.usr.cn",
              "register packet on link (REGSND link)")
        a.take()
        p.write(b"xyz")
        check(a.wait_bytes(3) == b"xyz", "no register head with link")
        a.take()
        set_(d, "REGSND", "data")
        p.write(b"abc")
        check(a.wait_bytes(13) == b"www.usr.cnabc",
              "register packet as head of a packet (REGSND data)")
        set_(d, "REGEN", "off")
        a.take()
        set_(d, "HEARTDT", "4842")
        set_(d, "HEARTTM", "1")
        set_(d, "HEARTTP", "NET")
        set_(d, "HEARTEN", "on")
        got = a.wait_bytes(4, 5)
        check(got.startswith(b"HBHB"), "heartbeat to the server when "
              "idle (got %r)" % got[:8])
        set_(d, "HEARTTP", "COM")
        a.take()
        check(p.expect(b"HB", 5), "heartbeat to the data port (COM)")
        set_(d, "HEARTEN", "off")
        p.close()
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()
        a.close()


def test_reconnect_cache():
    a = TcpServer()
    d = start_daemon()
    try:
        p = Pty(os.path.join(d.dir, "data"))
        p.drain()
        set_(d, "bridge.reconnect_min", "1000")
        set_(d, "bridge.reconnect_max", "1000")
        set_(d, "SOCKA", "TCP,127.0.0.1,%d" % a.port)
        set_(d, "SOCKAEN", "on")
        wait_for(lambda: sock_state(d, "a") == "connected", 10, "A")
        # the server goes down: hangs up and refuses reconnects until the
        # data is in, so "not connected" is a state that lasts, however
        # slowly this test polls
        a.refuse()
        a.drop()
        wait_for(lambda: sock_state(d, "a") != "connected", 10,
                 "A noticed the hang-up")
        check(sock_state(d, "a") in ("waiting", "resolving",
                                     "connecting"),
              "socket A waits to reconnect")
        chunks = [b"first-", b"second-", b"third"]
        rx = bstatus(d)["serial_rx_bytes"]
        for c in chunks:
            p.write(c)
            rx += len(c)
            wait_for(lambda: bstatus(d)["serial_rx_bytes"] >= rx, 10, "rx")
        check(a.connections() == 0 and sock_state(d, "a") != "connected",
              "the data came in while A was down")
        a.listen_again()
        wait_for(lambda: a.connections() >= 1 and
                 sock_state(d, "a") == "connected", 10, "reconnected")
        check(a.wait_bytes(18) == b"first-second-third",
              "cached data delivered in order after the reconnect")
        check(bstatus(d)["socket_a"]["connects"] >= 2, "two connects "
              "counted")
        p.close()
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()
        a.close()


def test_slow_server():
    a, b = TcpServer(), TcpServer()
    d = start_daemon()
    try:
        p = Pty(os.path.join(d.dir, "data"))
        p.drain()
        connect_both(d, a, b)
        a.reading.clear()               # server A stops reading
        total = 24 * 1024 * 1024
        block = bytes(range(256)) * 4096   # 1 MiB
        for _ in range(total // len(block)):
            p.write(block)
        rb = b.wait_bytes(total, 30)
        check(len(rb) == total and rb == block * (total // len(block)),
              "socket B got all %d bytes while A's server stalls" % total)
        st = bstatus(d)
        check(st["socket_a"]["state"] == "connected", "A stays connected")
        check(st["socket_a"]["dropped"] > 0 or
              st["socket_a"]["queued"] > 0,
              "A's share is queued or dropped (queued %d, dropped %d)" %
              (st["socket_a"]["queued"], st["socket_a"]["dropped"]))
        a.reading.set()
        p.close()
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()
        a.close()
        b.close()


def test_short_connection():
    a = TcpServer()
    d = start_daemon()
    try:
        p = Pty(os.path.join(d.dir, "data"))
        p.drain()
        set_(d, "SOCKA", "TCP,127.0.0.1,%d" % a.port)
        set_(d, "SOCKASL", "short,2")
        set_(d, "SOCKAEN", "on")
        check(sock_state(d, "a") == "idle" and a.connections() == 0,
              "short connection: not connected before data")
        p.write(b"on demand")
        check(a.wait_bytes(9) == b"on demand", "data opens the connection")
        wait_for(lambda: sock_state(d, "a") == "idle", 6,
                 "closed after the idle timeout")
        check(True, "short connection closed after 2 s idle")
        p.close()
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()
        a.close()


def test_bad_settings():
    d = start_daemon()
    try:
        bad = [("SOCKA", "SCTP,127.0.0.1,1"), ("SOCKA", "TCP,127.0.0.1,0"),
               ("UART", "1234,NONE,8,1,NONE"),
               ("UART", "9600,NONE,9,1,NONE"),
               ("UART", "9600,NONE,8,1"),
               ("REGDT", "ABC"), ("REGDT", "zz"), ("REGDT", "00" * 81),
               ("HTPHD", "X-A: 1[0D"), ("HTPHD", "no colon here"),
               ("SOCKASL", "short,1"), ("SOCKASL", "medium"),
               ("RSTIM", "30"), ("HEARTTM", "0"), ("REGTP", "REGID"),
               ("HTPURL", "no-slash"), ("HTPSV", "host"),
               ("DSTNUM", "12ab"), ("bridge.cache_size", "10")]
        for name, value in bad:
            before = get(d, name)
            rc, out, err = d.ctl("settings", "set", name, value)
            check(rc != 0 and err.strip() != "" and get(d, name) == before,
                  "%s=%s refused (%s)" % (name, value, err.strip()))
        rc, out = d.at('AT+UART=115200,"NONE",8,1,"NONE"')
        check(rc == 0 and out.endswith("OK"), "AT+UART in the seed's form")
        rc, out = d.at("AT+UART")
        check("+UART:115200,NONE,8,1,NONE" in out, "AT+UART query")
        rc, out = d.at("AT+SOCKBLK")
        check("+SOCKBLK:disconnected" in out, "AT+SOCKBLK")
        rc, out = d.at("AT+ENTM")
        check(rc != 0, "AT+ENTM refused outside the data port")
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()


def test_no_data_port():
    from cgtest import Daemon
    d = Daemon().start()
    try:
        st = d.ctl_json("status")["bridge"]
        check(st["state"] == "stopped" and
              st["socket_a"]["state"] == "stopped" and
              st["socket_b"]["state"] == "stopped" and st["mode"] == "NET",
              "no data_port: the bridge is stopped, not an error")
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()


if __name__ == "__main__":
    run_tests(test_tcp_both_ways, test_udp, test_register_heartbeat,
              test_reconnect_cache, test_slow_server, test_short_connection,
              test_bad_settings, test_no_data_port)
