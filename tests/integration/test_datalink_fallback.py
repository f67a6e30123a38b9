#!/usr/bin/env python3
"""test_datalink_fallback.py: data.mode auto for real, with the MQTT link.

Two network namespaces made here: the device's and an "internet" holding
the MQTT broker (203.0.113.1).  Two veth pairs join them: wlan0 stands for
the Wi-Fi (the device's default route) and wwan0 for the modem's USB
network interface (its data call is the simulator's).  The daemon runs in
the device's namespace with data.mode auto and the cloud link on:

  - with the Wi-Fi's default route: up through wlan0, the modem not
    dialled, the MQTT link connected from the Wi-Fi's address;
  - the route goes away: the modem's data call is dialled (the cloud link
    wants an uplink), and once it is up and the OS has configured wwan0
    (the test plays DHCP: address and default route), the MQTT link
    reconnects through it, from the modem's address;
  - the route returns: the call is hung up (SPEC 6.1: cellular data only
    while needed) and the MQTT link reconnects through the Wi-Fi.

The daemon learns of each change from rtnetlink notifications.  Exits 77
(skip) where namespaces or veth pairs cannot be made (not root).
"""
import os
import shutil
import subprocess
import sys
import tempfile

import cgtest
from cgtest import BUILDDIR, Daemon, check, run_tests, wait_for
from modemsim import Sim

DEV = "cgtest-fb-dev-%d" % os.getpid()
NET = "cgtest-fb-net-%d" % os.getpid()
BROKER = "203.0.113.1"
WIFI, WIFI_GW = "10.1.0.2", "10.1.0.1"
WWAN, WWAN_GW = "10.2.0.2", "10.2.0.1"
D = SIM = BROKER_PROC = None
BROKER_LOG = None


def ip(ns, *args, check_rc=True):
    p = subprocess.run(["ip", "-n", ns] + list(args), capture_output=True,
                       text=True)
    if check_rc and p.returncode != 0:
        raise RuntimeError("ip -n %s %s: %s" % (ns, " ".join(args),
                                                 p.stderr.strip()))
    return p.returncode


def make_nets():
    if os.geteuid() != 0 or shutil.which("ip") is None or \
            shutil.which("mosquitto") is None:
        return False
    for ns in (DEV, NET):
        if subprocess.run(["ip", "netns", "add", ns],
                          capture_output=True).returncode != 0:
            return False
        ip(ns, "link", "set", "lo", "up")
    for dev, peer, addr, gw in (("wlan0", "wlanp", WIFI, WIFI_GW),
                                ("wwan0", "wwanp", WWAN, WWAN_GW)):
        if ip(DEV, "link", "add", dev, "type", "veth", "peer", "name", peer,
              "netns", NET, check_rc=False) != 0:
            return False
        ip(DEV, "addr", "add", addr + "/24", "dev", dev)
        ip(NET, "addr", "add", gw + "/24", "dev", peer)
        ip(DEV, "link", "set", dev, "up")
        ip(NET, "link", "set", peer, "up")
    ip(NET, "addr", "add", BROKER + "/32", "dev", "lo")
    return True


def start_broker(workdir):
    """mosquitto in the internet namespace, logging each connection."""
    global BROKER_PROC, BROKER_LOG
    from mqtt_util import free_port
    port = free_port()
    passwd = os.path.join(workdir, "passwd")
    open(passwd, "w").close()
    subprocess.run(["mosquitto_passwd", "-b", passwd, "fb", "fb-pw"],
                   check=True, capture_output=True)
    BROKER_LOG = os.path.join(workdir, "mosquitto.log")
    conf = os.path.join(workdir, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write("user root\nallow_anonymous false\npassword_file %s\n"
                "log_dest file %s\nlog_type all\nlistener %d %s\n"
                % (passwd, BROKER_LOG, port, BROKER))
    BROKER_PROC = subprocess.Popen(["ip", "netns", "exec", NET, "mosquitto",
                                    "-c", conf], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
    wait_for(lambda: "listen socket on port %d" % port in broker_log(), 10,
             "the broker listening")
    return port


def broker_log():
    try:
        with open(BROKER_LOG) as f:
            return f.read()
    except OSError:
        return ""


def connections_from(addr):
    return broker_log().count("New client connected from %s:" % addr)


def status():
    return D.ctl_json("status")


def wait_status(pred, what, timeout=30):
    def once():
        s = status()
        return s if pred(s) else None
    return wait_for(once, timeout, what, 0.05)


def dials():
    return [c for c in SIM.commands() if c.startswith("AT+CGACT=1")]


def wifi_route(on):
    ip(DEV, "route", "add" if on else "del", "default", "via", WIFI_GW,
       "dev", "wlan0", "metric", "100")


def test_wifi_first():
    s = wait_status(lambda s: s["data"]["state"] == "up" and
                    s["data"]["interface"] == "wlan0" and
                    s["cloud"]["state"] == "up", "up through wlan0")
    check(s["data"]["reason"] == "OS route",
          "auto: the Wi-Fi's route is the uplink: %r" % s["data"])
    check(connections_from(WIFI) == 1,
          "the MQTT link is connected from the Wi-Fi's address")
    check(dials() == [], "the modem is not dialled while the Wi-Fi works")


def test_route_goes_away():
    wifi_route(False)
    wait_for(lambda: dials(), 30, "the modem dialled")
    s = wait_status(lambda s: s["data"]["state"] == "up" and
                    s["data"]["reason"] == "modem data call",
                    "the modem's call up")
    check(s["data"]["interface"] == "wwan0" and len(dials()) == 1,
          "no default route: the modem's data call is the uplink: %r"
          % s["data"])
    # the OS configures the modem's interface (DHCP on wwan0)
    ip(DEV, "route", "add", "default", "via", WWAN_GW, "dev", "wwan0",
       "metric", "700")
    wait_for(lambda: connections_from(WWAN) >= 1, 60,
             "the MQTT link through the modem")
    s = wait_status(lambda s: s["cloud"]["state"] == "up", "cloud up")
    check(connections_from(WWAN) == 1 and s["data"]["interface"] == "wwan0",
          "the MQTT link reconnected through the modem's call")


def test_route_returns():
    wifi_route(True)
    s = wait_status(lambda s: s["data"]["reason"] == "OS route",
                    "back to the Wi-Fi")
    check(s["data"]["interface"] == "wlan0",
          "the Wi-Fi's route is the uplink again: %r" % s["data"])
    wait_for(lambda: "AT+CGACT=0,1" in SIM.commands(), 20, "hang-up")
    check(not SIM.data()["active"],
          "the modem's data call is dropped once the Wi-Fi works")
    # the call is gone: so is what the OS had configured on wwan0
    ip(DEV, "route", "del", "default", "via", WWAN_GW, "dev", "wwan0",
       check_rc=False)
    wait_for(lambda: connections_from(WIFI) >= 2, 60,
             "the MQTT link back through the Wi-Fi")
    s = wait_status(lambda s: s["cloud"]["state"] == "up", "cloud up")
    check(connections_from(WIFI) == 2 and len(dials()) == 1,
          "the MQTT link reconnected through the Wi-Fi, no new dial")
    check(D.stop() == 0, "the daemon stopped cleanly")


def main():
    global D, SIM
    if not make_nets():
        for ns in (DEV, NET):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        print("# cannot make network namespaces and veth pairs: skipped")
        sys.exit(77)
    work = tempfile.mkdtemp(prefix="cgtest-fb-")
    D = Daemon()
    try:
        port = start_broker(work)
        wrapper = os.path.join(D.dir, "cellgated-in-ns")
        with open(wrapper, "w") as f:
            f.write('#!/bin/sh\nexec ip netns exec %s "%s" "$@"\n'
                    % (DEV, cgtest.CELLGATED))
        os.chmod(wrapper, 0o755)
        cgtest.CELLGATED = wrapper
        SIM = Sim.start(BUILDDIR, "generic", D.dir)
        D.write_conf('modem = { device = "%s"; };\n'
                     'data = { mode = "auto"; apn = "internet.test"; };\n'
                     'cloud = { enable = true; id = "fb"; password = '
                     '"fb-pw"; server = "%s:%d"; };\n'
                     % (SIM.link, BROKER, port))
        wifi_route(True)        # the Wi-Fi is there from the start
        D.start()
        wait_for(lambda: status()["modem"]["state"] == "ready", 30,
                 "modem ready")
        run_tests(test_wifi_first, test_route_goes_away, test_route_returns)
    finally:
        D.cleanup()
        if SIM is not None:
            SIM.stop()
        if BROKER_PROC is not None:
            BROKER_PROC.terminate()
            BROKER_PROC.wait()
        for ns in (DEV, NET):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
