#!/usr/bin/env python3
"""test_bridge_cmd.py: the bridge's command channels: the `+++` / `a` /
`+ok` handshake with right and wrong timing (seed §4.1.1), AT+ENTM and
echo, the CMD work mode, UATEN and NATEN inline `password#AT+` commands
with right, wrong and no password, and "similar RFC2217" frames changing
the pty's termios.
"""
import os
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cgtest import check, run_tests, wait_for  # noqa: E402
from bridge_util import (Pty, TcpServer, bstatus, get, set_,  # noqa: E402
                         start_daemon)


def net_daemon(extra=""):
    a = TcpServer()
    d = start_daemon(extra)
    set_(d, "bridge.reconnect_min", "200")
    set_(d, "SOCKA", "TCP,127.0.0.1,%d" % a.port)
    set_(d, "SOCKAEN", "on")
    wait_for(lambda: bstatus(d)["socket_a"]["state"] == "connected", 10,
             "socket A")
    p = Pty(os.path.join(d.dir, "data"))
    p.drain()
    return d, a, p


def quiet(p, s=0.3):
    """Let the guard time T1 (> 200 ms of silence) pass."""
    time.sleep(s)


def test_plus_handshake():
    d, a, p = net_daemon()
    try:
        set_(d, "E", "off")
        quiet(p)
        p.write(b"+++")
        check(p.expect(b"a", 2), "+++ after silence: module answers 'a'")
        p.write(b"a")
        check(p.expect(b"+ok", 2), "'a' within 3 s: module answers +ok")
        check(bstatus(d)["state"] == "command", "status says command mode")
        a.send(b"held")                 # not written during command mode
        p.write(b"AT+SOCKAEN?\r")
        check(p.expect(b"\r\n+SOCKAEN:on\r\n\r\nOK\r\n"),
              "AT+SOCKAEN? answered in the seed's format")
        p.write(b"AT+NOSUCH\r")
        check(p.expect(b"\r\nERROR\r\n"), "unknown command: ERROR")
        set_(d, "E", "on")
        p.write(b"AT+E?\r")
        check(p.expect(b"AT+E?\r\r\n+E:on\r\n\r\nOK\r\n"),
              "echo (AT+E on) repeats the command")
        p.write(b"AT+ENTM\r")
        check(p.expect(b"AT+ENTM\r\r\nOK\r\n"), "AT+ENTM answers OK")
        check(p.expect(b"held", 3), "server data held in command mode "
              "is delivered after AT+ENTM")
        a.take()
        p.write(b"data again")
        check(a.wait_bytes(10) == b"data again", "back to data mode")
        # too long a line is refused, not truncated
        set_(d, "E", "off")
        quiet(p)
        p.write(b"+++")
        p.expect(b"a", 2)
        p.write(b"a")
        p.expect(b"+ok", 2)
        p.write(b"AT+STMSG=" + b"x" * 600 + b"\r")
        check(p.expect(b"\r\nERROR\r\n"), "overlong command line: ERROR")
        check(get(d, "STMSG") == "cellgate", "overlong line changed "
              "nothing")
        p.write(b"AT+ENTM\r")
        p.expect(b"OK\r\n")
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()
        a.close()


def test_plus_bad_timing():
    d, a, p = net_daemon()
    try:
        # no silence before +++: it is data
        p.write(b"x")
        p.write(b"+++")
        check(a.wait_bytes(4) == b"x+++", "+++ right after data is data")
        check(p.drain(0.3) == b"", "no 'a' for +++ without the guard time")
        a.take()
        # a slow +++ (100 ms between '+') is data
        quiet(p)
        for c in b"+++":
            p.write(bytes([c]))
            time.sleep(0.1)
        check(a.wait_bytes(3) == b"+++", "slow +++ (T2 > 50 ms) is data")
        a.take()
        # 'a' too late (> 3 s): the +++ becomes data
        quiet(p)
        p.write(b"+++")
        check(p.expect(b"a", 2), "'a' sent")
        time.sleep(3.3)
        p.write(b"a")
        check(a.wait_bytes(4) == b"+++a", "late 'a': +++ and 'a' are data")
        check(bstatus(d)["state"] == "running", "still in data mode")
        a.take()
        # +++ followed by more data in the same burst is data
        quiet(p)
        p.write(b"+++more")
        check(a.wait_bytes(7) == b"+++more", "+++ with more bytes is data")
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()
        a.close()


def test_cmd_workmode():
    d = start_daemon()
    try:
        p = Pty(os.path.join(d.dir, "data"))
        p.drain()
        set_(d, "E", "off")
        set_(d, "WKMOD", "CMD")
        p.write(b"AT+WKMOD\r\n")
        check(p.expect(b"\r\n+WKMOD:CMD\r\n\r\nOK\r\n"),
              "CMD work mode: the data port is an AT console")
        p.write(b"AT\r")
        check(p.expect(b"\r\nOK\r\n"), "bare AT answers OK")
        p.write(b'AT+WKMOD="NET"\r')
        check(p.expect(b"\r\nOK\r\n"), "WKMOD=NET from the console")
        check(bstatus(d)["mode"] == "NET", "mode switched at runtime")
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()


def test_uaten():
    # no password set: every inline command is refused
    d, a, p = net_daemon()
    try:
        set_(d, "UATEN", "on")
        p.write(b"usr.cn#AT+SOCKBEN=on\r")
        check(p.drain(0.5) == b"", "UATEN without a password set: no reply")
        check(get(d, "SOCKBEN") == "off", "... and the command did not run")
        check(a.wait_bytes(1, 0.5) == b"", "... nor is it sent as data")
        check("usr.cn" not in d.read_log(), "password not logged")
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()
        a.close()
    d, a, p = net_daemon("allow_default_password = true;\n")
    try:
        set_(d, "UATEN", "on")
        p.write(b"wrong#AT+SOCKBEN=on\r")
        check(p.drain(0.5) == b"", "UATEN wrong password: no reply")
        check(get(d, "SOCKBEN") == "off", "... and the command did not run")
        p.write(b"usr.cn#AT+SOCKBEN=on\r")
        check(p.expect(b"\r\nOK\r\n", 5), "UATEN right password: OK")
        check(get(d, "SOCKBEN") == "on", "... and the setting changed")
        p.write(b"usr.cn#AT+VER\r")
        check(p.expect(b"\r\n+VER:", 5), "UATEN query answered")
        log = d.read_log()
        check("usr.cn" not in log and "wrong#" not in log,
              "passwords never logged")
        set_(d, "UATEN", "off")
        a.take()
        p.write(b"usr.cn#AT+VER\r")
        check(a.wait_bytes(14) == b"usr.cn#AT+VER\r",
              "UATEN off: the same bytes are data")
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()
        a.close()


def test_naten():
    d, a, p = net_daemon("allow_default_password = true;\n")
    try:
        set_(d, "NATEN", "on")
        a.take()
        a.send(b"usr.cn#AT+SOCKBEN?\r\n")
        check(a.wait_bytes(22, 5) == b"\r\n+SOCKBEN:off\r\n\r\nOK\r\n",
              "NATEN: reply goes back to the server")
        check(p.drain(0.3) == b"", "... and nothing to the data port")
        a.take()
        a.send(b"bad#AT+SOCKBEN=on")
        check(a.wait_bytes(1, 0.5) == b"", "NATEN wrong password: no reply")
        check(get(d, "SOCKBEN") == "off", "... and nothing ran")
        a.send(b"usr.cn#AT+SOCKBEN=on")
        check(a.wait_bytes(6, 5) == b"\r\nOK\r\n", "NATEN set: OK")
        check(get(d, "SOCKBEN") == "on", "NATEN set took effect")
        set_(d, "NATEN", "off")
        a.send(b"usr.cn#AT+VER")
        check(p.expect(b"usr.cn#AT+VER", 5), "NATEN off: it is data")
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()
        a.close()


def frame(baud, bits):
    b = bytes([baud >> 16 & 255, baud >> 8 & 255, baud & 255, bits])
    return b"\x55\xaa\x55" + b + bytes([sum(b) & 255])


def test_rfc2217():
    d, a, p = net_daemon()
    try:
        f = frame(9600, 0x83)
        check(f == bytes.fromhex("55AA55002580 8328".replace(" ", "")),
              "frame built as in the seed's example 2")
        a.send(f)
        check(p.expect(f), "RFCEN off: a frame is plain data")
        check(p.attrs()[4] != termios.B9600, "... and changes nothing")
        set_(d, "RFCEN", "on")
        a.send(b"before" + f + b"after")
        check(p.expect(b"beforeafter"), "data around a frame passes, the "
              "frame does not")
        t = p.attrs()
        check(t[4] == termios.B9600 and t[5] == termios.B9600,
              "RFC2217 frame set the pty to 9600 baud")
        check(t[2] & termios.CSIZE == termios.CS8 and
              not t[2] & termios.PARENB and not t[2] & termios.CSTOPB,
              "... 8 data bits, no parity, 1 stop bit")
        # 19200, 7 data bits, 2 stop bits, even parity: 0b0001_1110
        a.send(frame(19200, 0x1e))
        wait_for(lambda: p.attrs()[4] == termios.B19200, 5, "19200")
        t = p.attrs()
        # Linux ptys force CS8 and no parity (pty_set_termios): only the
        # speed and the stop bits are visible on a pty; a real UART gets
        # every field (status shows what is in effect)
        check(t[2] & termios.CSTOPB, "2 stop bits from a second frame")
        st = bstatus(d)
        check(st["uart"] == "19200,EVEN,7,2,NONE" and
              st["uart_from_rfc2217"], "status shows the UART in effect")
        bad = bytearray(frame(9600, 0x83))
        bad[7] ^= 1
        a.send(bytes(bad))
        check(p.expect(bytes(bad)), "bad checksum: passed on as data")
        check(p.attrs()[4] == termios.B19200, "... and not applied")
        check(get(d, "UART") == "115200,NONE,8,1,NONE",
              "the UART setting itself is unchanged")
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()
        a.close()


if __name__ == "__main__":
    run_tests(test_plus_handshake, test_plus_bad_timing, test_cmd_workmode,
              test_uaten, test_naten, test_rfc2217)
