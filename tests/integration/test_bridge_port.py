"""test_bridge_port.py: the data port comes and goes; SMS control stays.

cellgated starts with data_port.device naming a socat link that does not
exist yet: the daemon runs (state `absent` in the status bridge section,
with the reason), SMS commands are answered.  socat creates the link (two
linked ptys): the bridge runs and bytes from the serial side reach socket
A's server.  socat exits (the link goes, the port hangs up): `absent`
again, SMS still answered.  socat again: the port is reopened (inotify on
the link's directory) and data flows.  A bare /dev/pts/N (which
libserialport refuses) is accepted through termios; a USB selector with
no such device leaves the port absent; a malformed one is refused at
start.
"""
import os
import shutil
import signal
import subprocess

from bridge_util import TcpServer, set_
from cgtest import BUILDDIR, Daemon, check, open_raw_tty, run_tests, wait_for
from modemsim import Sim
from torture import decode_number, encode_deliver

ADMIN = "Port-pw1"
SENDER = "+491701234000"
_n = [0]


def bstatus(d):
    return d.ctl_json("status")["bridge"]


def sms_answered(d, sim):
    """An SMS command gets its reply while the data port is whatever."""
    _n[0] += 1
    sender = SENDER + str(_n[0])
    before = len(sim.sent())
    for p in encode_deliver(sender, "%s#AT+STMSG=cellgate" % ADMIN, _n[0]):
        sim.check("sms " + p)
    wait_for(lambda: len(sim.sent()) > before, 20, "the reply")
    return decode_number(sim.sent()[-1]["pdu"]) == sender


class Socat:
    def __init__(self, link, peer):
        self.link, self.peer = link, peer
        self.p = subprocess.Popen(
            ["socat", "pty,link=%s,raw,echo=0" % link,
             "pty,link=%s,raw,echo=0" % peer],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(link) and os.path.exists(peer), 10,
                 "socat links")
        self.fd = open_raw_tty(peer)

    def read_until(self, data, timeout=10):
        buf = b""

        def got():
            nonlocal buf
            try:
                buf += os.read(self.fd, 4096)
            except BlockingIOError:
                pass
            return data in buf
        try:
            wait_for(got, timeout, "%r on the serial side" % data)
        except TimeoutError:
            return buf
        return buf

    def stop(self):
        os.close(self.fd)
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(10)


def test_port_comes_and_goes():
    d = Daemon()
    sim = Sim.start(BUILDDIR, "generic", d.dir, verbose=False)
    link = os.path.join(d.dir, "serial")
    peer = os.path.join(d.dir, "peer")
    srv = TcpServer()
    s = None
    d.write_conf('modem = { device = "%s"; };\n'
                 'data_port = { device = "%s"; };\n' % (sim.link, link))
    try:
        d.start()
        wait_for(lambda: d.ctl_json("status")["modem"]["state"] == "ready",
                 30, "modem ready")
        d.ctl("passwd", "admin", input=ADMIN + "\n")
        b = bstatus(d)
        check(b["state"] == "absent" and b["port_state"] == "absent" and
              b["port"] == link and "No such file" in b.get("port_error", ""),
              "started without the port: absent, with the reason: %s" % b)
        check(sms_answered(d, sim), "SMS control works without the port")
        set_(d, "bridge.reconnect_min", "200")
        set_(d, "SOCKA", "TCP,127.0.0.1,%d" % srv.port)
        set_(d, "SOCKAEN", "on")

        s = Socat(link, peer)
        wait_for(lambda: bstatus(d)["state"] == "running", 10,
                 "bridge running once the port appears")
        check(True, "the port appeared: bridge running")
        check(b"cellgate" in s.read_until(b"cellgate"),
              "the welcome message reaches the serial side")
        wait_for(lambda: bstatus(d)["socket_a"]["state"] == "connected", 10,
                 "socket A")
        os.write(s.fd, b"first-bytes")
        srv.wait_bytes(len(b"first-bytes"))
        check(b"first-bytes" in srv.received(),
              "serial data reaches socket A")
        b = bstatus(d)
        check(b["port_type"] == "serial" and b["port_state"] == "open" and
              "port_error" not in b, "status: open, no error: %s" % b)

        s.stop()
        s = None
        wait_for(lambda: bstatus(d)["state"] == "absent", 10,
                 "absent after the port vanished")
        check(True, "the port vanished: absent")
        check(sms_answered(d, sim), "SMS control works after the loss")

        s = Socat(link, peer)
        wait_for(lambda: bstatus(d)["state"] == "running", 10,
                 "running again once the port is back")
        check(True, "the port came back: reopened")
        s.read_until(b"cellgate")
        os.write(s.fd, b"second-bytes")
        srv.wait_bytes(len(b"first-bytes") + len(b"second-bytes"))
        check(b"second-bytes" in srv.received(),
              "data flows again after the reopen")
        check(sms_answered(d, sim), "SMS control works with the port back")
        check(d.stop() == 0, "clean stop")
    finally:
        if s is not None:
            s.stop()
        srv.close()
        d.cleanup()
        sim.stop()


def test_bare_pts_and_usb():
    master, slave = os.openpty()
    path = os.ttyname(slave)
    os.close(slave)
    d = Daemon()
    d.write_conf('data_port = { device = "%s"; };\n' % path)
    try:
        d.start()
        b = bstatus(d)
        check(b["state"] == "running" and b["port"] == path,
              "a bare %s is accepted: %s" % (path, b))
        check("a tty, set with termios" in d.read_log(),
              "opened with termios")
        check(d.stop() == 0, "clean stop")
    finally:
        os.close(master)
        d.cleanup()

    d = Daemon()
    d.write_conf('data_port = { device = "usb:1d6b:0bad:07"; };\n')
    try:
        d.start()
        b = bstatus(d)
        check(b["state"] == "absent" and b["port"] == "usb:1d6b:0bad:07"
              and b.get("port_error"),
              "a USB selector with no such device: absent: %s" % b)
    finally:
        d.cleanup()

    d = Daemon()
    d.write_conf('data_port = { device = "usb:12:34"; };\n')
    try:
        d.start(expect_ready=False)
        rc = d.proc.wait(15)
        check(rc != 0 and "usb:VID:PID" in d.read_log(),
              "a malformed USB selector is refused at start (%d)" % rc)
        d.proc = None
        d.logf.close()
    finally:
        d.cleanup()


if __name__ == "__main__":
    if shutil.which("socat") is None:
        print("SKIP: socat not installed")
        raise SystemExit(77)
    run_tests(test_port_comes_and_goes, test_bare_pts_and_usb)
