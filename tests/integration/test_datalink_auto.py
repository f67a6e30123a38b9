"""test_datalink_auto.py: data.mode auto in a network namespace of its own.

The daemon runs inside a fresh namespace (`ip netns exec`) whose only
"other uplink" is a default route the test adds and removes (through a
veth pair, or the loopback where veth is missing).  With a route: up
through it, the modem not dialled.  Without: down (no cloud link, so
nothing to send), and dialled only once the uplink is wanted
(AT+DATA=on); the route coming back hangs the modem up.  Exits 77 (skip)
where namespaces cannot be made (not root, no iproute2).
"""
import os
import shutil
import subprocess
import sys

import cgtest
from cgtest import Daemon, check, run_tests, wait_for
from modemsim import Sim

BUILDDIR = os.environ.get("CG_BUILDDIR", os.getcwd())
NS = "cgtest-dl-%d" % os.getpid()
IFACE = None


def ip(*args, check_rc=True):
    p = subprocess.run(["ip", "-n", NS] + list(args), capture_output=True,
                       text=True)
    if check_rc and p.returncode != 0:
        raise RuntimeError("ip %s: %s" % (" ".join(args), p.stderr.strip()))
    return p.returncode


def make_ns():
    """The namespace and an interface for the other uplink, or None."""
    global IFACE
    if os.geteuid() != 0 or shutil.which("ip") is None:
        return False
    if subprocess.run(["ip", "netns", "add", NS],
                      capture_output=True).returncode != 0:
        return False
    ip("link", "set", "lo", "up")
    if ip("link", "add", "cg0", "type", "veth", "peer", "name", "cg1",
          check_rc=False) == 0:
        ip("addr", "add", "192.0.2.1/24", "dev", "cg0")
        ip("link", "set", "cg1", "up")
        ip("link", "set", "cg0", "up")
        IFACE = "cg0"
    else:
        IFACE = "lo"
    return True


def route(on):
    if IFACE == "cg0":
        args = ["default", "via", "192.0.2.254", "dev", "cg0"]
    else:
        args = ["default", "dev", "lo"]
    ip("route", "add" if on else "del", *args)


D = None
SIM = None


def data():
    return D.ctl_json("status")["data"]


def wait_data(pred, what, timeout=20):
    def once():
        d = data()
        return d if pred(d) else None
    return wait_for(once, timeout, what)


def dials():
    return [c for c in SIM.commands() if c.startswith("AT+CGACT=1")]


def test_other_uplink_first():
    route(True)
    d = wait_data(lambda d: d["state"] == "up" and d["interface"] == IFACE,
                  "up through %s" % IFACE)
    check(d["mode"] == "auto" and d["reason"] == "OS route",
          "auto: the other uplink is used: %r" % d)
    check(dials() == [], "the modem is not dialled while it works")


def test_no_route_nothing_to_send():
    route(False)
    d = wait_data(lambda d: d["state"] == "down", "down without a route")
    check("data to send" in d["reason"],
          "no other uplink, cloud off: not dialled until wanted: %r" % d)
    check(dials() == [], "still not dialled")


def test_fallback_when_wanted():
    rc, out = D.at("AT+DATA=on")
    check(rc == 0, "AT+DATA=on: %r" % out)
    d = wait_data(lambda d: d["state"] == "up" and
                  d["reason"] == "modem data call", "fallback up")
    check(d["address"] == SIM.data()["address"] and len(dials()) == 1,
          "the modem is dialled as the fallback: %r" % d)
    rc, out = D.at("AT+DATA?")
    check(out.startswith("+DATA:auto,up,modem data call"),
          "AT+DATA? says which uplink: %r" % out)


def test_hang_up_when_back():
    route(True)
    d = wait_data(lambda d: d["reason"] == "OS route", "back to the route")
    check(d["state"] == "up" and d["interface"] == IFACE,
          "the other uplink again: %r" % d)
    wait_for(lambda: "AT+CGACT=0,1" in SIM.commands(), 10, "hang-up")
    check(not SIM.data()["active"], "the modem's call is hung up")
    D.at("AT+DATA=off")
    route(False)
    wait_data(lambda d: d["state"] == "down", "down again")
    check(len(dials()) == 1, "not wanted any more: no new dial")
    check(D.stop() == 0, "the daemon stopped cleanly")


def main():
    global D, SIM
    if not make_ns():
        print("# cannot make a network namespace: skipped")
        sys.exit(77)
    D = Daemon()
    try:
        wrapper = os.path.join(D.dir, "cellgated-in-ns")
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\nexec ip netns exec %s "%s" "$@"\n'
                    % (NS, cgtest.CELLGATED))
        os.chmod(wrapper, 0o755)
        cgtest.CELLGATED = wrapper
        SIM = Sim.start(BUILDDIR, "generic", D.dir)
        D.write_conf('modem = { device = "%s"; };\n'
                     'data = { mode = "auto"; apn = "internet.test"; };\n'
                     % SIM.link)
        D.start()
        wait_for(lambda: D.ctl_json("status")["modem"]["state"] == "ready",
                 30, "modem ready")
        run_tests(test_other_uplink_first, test_no_route_nothing_to_send,
                  test_fallback_when_wanted, test_hang_up_when_back)
    finally:
        D.cleanup()
        if SIM is not None:
            SIM.stop()
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)


if __name__ == "__main__":
    main()
