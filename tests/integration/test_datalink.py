"""test_datalink.py: the data link against cellgate-modemsim, with the real
daemon.

AT+APN set by SMS in both forms, the password redacted in the message
log, the daemon's log and the settings listing; bad AT+APN input (too
long, bad auth keyword, quotes) refused with a clear error and nothing
changed; `modem` mode up with the simulator's address on every profile
that has a data call (each with its vendor's dial); a +CGEV drop and the
redial; the redial after a modem restart; the reasons "Missing APN" and
"Network connection error" (activation refused, then the retry); the 2G
profile's reason; data.ppp_port and the settings in the config file
(--check-config); the "data" event and `cellgatectl status` (human and
--json); ppp mode without a port, and with pppd failing (its exit status
in the detail) where pppd is installed.  Every wait has a deadline.
"""
import re
import json
import os
import shutil
import subprocess
import tempfile

import cgtest
from cgtest import CELLGATECTL, Daemon, check, run_tests, wait_for
from modemsim import Sim

BUILDDIR = os.environ.get("CG_BUILDDIR", os.getcwd())
SUPER = "Sup3r-pw"
APN_SECRET = "Apn-S3cret"
SENDER = "+491709000042"

DIALS = {
    "generic": "AT+CGACT=1,1",
    "ec25": "AT+QNETDEVCTL=1,1,1",
    "e3372": 'AT^NDISDUP=1,1,"internet.test"',
    "ublox": "AT+CGACT=1,1",
}


class Rig:
    """A simulator and a daemon attached to it, in one scratch dir."""

    def __init__(self, profile, data="", extra=""):
        self.d = Daemon()
        self.sim = Sim.start(BUILDDIR, profile, self.d.dir)
        self.d.write_conf('modem = { device = "%s"; };\n%s%s'
                          % (self.sim.link, data, extra))
        self.d.start()

    def data(self):
        return self.d.ctl_json("status")["data"]

    def wait_data(self, pred, what, timeout=20):
        """Poll status until pred(data) holds; return that data section."""
        def once():
            d = self.data()
            return d if pred(d) else None
        return wait_for(once, timeout, what)

    def close(self):
        rc = self.d.stop()
        check(rc == 0, "%s: the daemon stopped cleanly (%s)"
              % (self.sim.profile, rc))
        self.sim.stop()
        self.d.cleanup()
        return rc


def modem_conf(apn="internet.test", mode="modem", more=""):
    return 'data = { mode = "%s"; apn = "%s"; %s };\n' % (mode, apn, more)


def encode_deliver(sender, text, n):
    p = subprocess.run([CELLGATECTL, "--json", "pdu", "encode", "--deliver",
                        "--time", "2026-01-01T00:00:%02d+01:00" % n,
                        sender, text], capture_output=True, text=True,
                       check=True)
    return [x["pdu"] for x in json.loads(p.stdout)["parts"]]


def test_apn_by_sms():
    r = Rig("generic")
    try:
        wait_for(lambda: r.d.ctl_json("status")["modem"]["state"] == "ready",
                 30, "modem ready")
        r.d.ctl("passwd", "superadmin", input=SUPER + "\n")

        def sms(text, n):
            before = len(r.d.ctl_json("sms", "list", "--limit", "1000"))
            for p in encode_deliver(SENDER, text, n):
                r.sim.inject_sms(p)
            wait_for(lambda: any(m["direction"] == "in" and
                                 m["status"] != "new" for m in
                                 r.d.ctl_json("sms", "list", "--limit",
                                              "1000")[before:]),
                     20, "SMS processed")

        sms("%s#AT+APN=internet.example" % SUPER, 1)
        check(r.d.ctl_json("settings", "get", "data.apn")["value"] ==
              "internet.example", "AT+APN=code by SMS sets data.apn")
        sms("%s#AT+APN=web.example,bob,%s,PAP" % (SUPER, APN_SECRET), 2)
        get = lambda n: r.d.ctl_json("settings", "get", n)
        check(get("data.apn")["value"] == "web.example" and
              get("data.user")["value"] == "bob" and
              get("data.auth")["value"] == "PAP",
              "AT+APN=code,user,password,auth by SMS sets all four")
        pw = get("data.password")
        check(pw.get("value") in (None, "***"),
              "the password is not readable: %r" % pw.get("value"))
        rc, out = r.d.at("AT+APN?")
        check(out == "+APN:web.example\nOK", "AT+APN? replies +APN:code: %r"
              % out)
        rc, out = r.d.at("AT+data.password?")
        check(out.lower() == "+data.password:set\nok" and APN_SECRET not in out,
              "data.password: a query says only that it is set: %r" % out)
        texts = [m["text"] or "" for m in
                 r.d.ctl_json("sms", "list", "--limit", "1000")]
        check(all(APN_SECRET not in t for t in texts) and
              "***#AT+APN=web.example,***" in texts,
              "the message log keeps the SMS redacted: %r" % texts)
        sms("APN,verb.example,carol,%s,CHAP,PWD=%s#" % (APN_SECRET, SUPER), 3)
        check(get("data.apn")["value"] == "verb.example" and
              get("data.user")["value"] == "carol",
              "the verb form APN,code,user,password,auth,PWD=...# too")
        texts = [m["text"] or "" for m in
                 r.d.ctl_json("sms", "list", "--limit", "1000")]
        check(all(APN_SECRET not in t and SUPER not in t for t in texts) and
              "APN,verb.example,***,PWD=***#" in texts,
              "... kept redacted as well: %r" % texts)
        rc, out, err = r.d.ctl("settings", "list")
        check(APN_SECRET not in out, "settings list does not show it")
        # the modem's echo is off, but the command is never logged either
        r.d.at("AT+data.mode=modem")
        wait_for(lambda: any(c.startswith("AT+CGAUTH=") for c in
                             r.sim.commands()), 20, "AT+CGAUTH sent")
        log = r.d.read_log()
        check(APN_SECRET not in log, "the daemon's log never has it")
        check(re.search(r"AT\+APN=[\w.]+,\*\*\*", log) is not None and
              "AT+CGAUTH=***" in log,
              "the log shows AT+APN=code,*** and AT+CGAUTH=***")
        r.wait_data(lambda d: d["state"] == "up", "up with credentials")
    finally:
        r.close()


def test_bad_input():
    r = Rig("generic", 'data = { apn = "keep.me"; user = "u"; auth = "PAP"; };\n')
    try:
        cases = [
            ("AT+APN=" + "a" * 64, "longer than 63"),
            ("AT+APN=x,u,p,MSCHAP", "NONE, PAP or CHAP"),
            ("AT+APN=x,u,p,", "NONE, PAP or CHAP"),
            ('AT+APN=inter"net', "quote"),
            ("AT+APN=x,\"us'er\",p,PAP", "quotes"),
            ("AT+APN=x,,p,CHAP", "user name"),
            ("AT+APN=x,u", "code,user,password,auth"),
            ("AT+APN=a..b", "letters, digits"),
            ("AT+APN=x,u," + "p" * 64 + ",PAP", "password is longer"),
        ]
        for cmd, why in cases:
            rc, out = r.d.at(cmd)
            check(rc != 0 and out.startswith("ERROR") and why in out,
                  "%s refused: %r" % (cmd[:40], out))
        get = lambda n: r.d.ctl_json("settings", "get", n)["value"]
        check(get("data.apn") == "keep.me" and get("data.user") == "u" and
              get("data.auth") == "PAP", "nothing changed")
        rc, out, err = r.d.ctl("settings", "set", "data.mode", "wifi")
        check(rc != 0 and get("data.mode") == "os", "bad data.mode refused")
    finally:
        r.close()


def test_profiles_up():
    for profile, dial in DIALS.items():
        r = Rig(profile, modem_conf())
        try:
            d = r.wait_data(lambda d: d["state"] == "up", "%s up" % profile)
            addr = r.sim.data()["address"]
            check(d["mode"] == "modem" and d["address"] == addr and
                  d["reason"] == "modem data call",
                  "%s: up with the simulator's address %s: %r"
                  % (profile, addr, d))
            cmds = r.sim.commands()
            check(dial in cmds and 'AT+CGDCONT=1,"IP","internet.test"' in cmds
                  and "AT+CGPADDR=1" in cmds,
                  "%s: context, the vendor's dial %s, the address"
                  % (profile, dial))
            check(r.sim.data()["active"], "%s: the call is active" % profile)
        finally:
            r.close()


def test_drop_and_redial():
    r = Rig("generic", modem_conf())
    try:
        r.wait_data(lambda d: d["state"] == "up", "up")
        n = r.sim.commands().count("AT+CGACT=1,1")
        r.sim.data_drop()
        d = r.wait_data(lambda d: d["state"] != "up", "drop noticed")
        check(d["state"] == "connecting" and "+CGEV" in d.get("detail", ""),
              "a +CGEV drop is noticed: %r" % d)
        r.wait_data(lambda d: d["state"] == "up", "up again")
        check(r.sim.commands().count("AT+CGACT=1,1") == n + 1 and
              r.sim.data()["active"], "redialled once")
        rc, out, err = r.d.ctl("events", "--limit", "200", json_out=True)
        ev = [json.loads(line) for line in out.splitlines() if line]
        states = []
        for e in ev:
            if e.get("event") == "data" and (not states or
                                             states[-1] != e["state"]):
                states.append(e["state"])
        check(states[-3:] == ["up", "connecting", "up"] and
              all(e.get("event") != "data" or ("mode" in e and "reason" in e
                  and "address" in e and "interface" in e) for e in ev),
              "a data event for each change, with its fields: %r" % states)
        rc, out, err = r.d.ctl("status")
        check(rc == 0 and "data" in out and "modem data call" in out,
              "cellgatectl status shows the data section")
        r.d.ctl("settings", "set", "data.mode", "os")
        wait_for(lambda: not r.sim.data()["active"], 10, "hung up")
        check("AT+CGACT=0,1" in r.sim.commands() and
              r.data()["mode"] == "os",
              "data.mode os at runtime hangs the call up")
    finally:
        r.close()


def test_redial_after_modem_reset():
    r = Rig("ec25", modem_conf())
    try:
        r.wait_data(lambda d: d["state"] == "up", "up")
        n = r.sim.commands().count("AT+QNETDEVCTL=1,1,1")
        r.sim.reboot()
        wait_for(lambda: r.sim.commands().count("AT+QNETDEVCTL=1,1,1") > n,
                 30, "redial after the restart")
        r.wait_data(lambda d: d["state"] == "up", "up after the restart")
        check(r.sim.data()["active"], "the call is active again")
    finally:
        r.close()


def test_reasons():
    r = Rig("generic", modem_conf(apn=""))
    try:
        d = r.wait_data(lambda d: d["state"] == "failed", "failed")
        check(d["reason"] == "Missing APN", "no APN: %r" % d["reason"])
        check(not any(c.startswith("AT+CGACT=1") for c in r.sim.commands()),
              "nothing dialled without an APN")
        # the network refuses the activation once, then the retry works
        r.sim.fail("AT+CGACT=1,1", "+CME ERROR: 30", 1)
        r.d.at("AT+APN=internet.test")
        d = r.wait_data(lambda d: d["state"] == "failed" and
                        d["reason"] != "Missing APN", "dial failure")
        check(d["reason"] == "Network connection error" and
              "CME ERROR: 30" in d.get("detail", ""),
              "refused activation: %r" % d)
        r.wait_data(lambda d: d["state"] == "up", "up after the backoff")
        check(True, "redialled after the backoff")
    finally:
        r.close()
    r = Rig("sim800", modem_conf())
    try:
        d = r.wait_data(lambda d: d["state"] == "failed", "2G failed", 30)
        check("2G" in d["reason"] and "ppp" in d["reason"],
              "sim800: the reason says 2G and points to ppp: %r"
              % d["reason"])
        check(not any(c.startswith("AT+CGACT") for c in r.sim.commands()),
              "sim800: nothing dialled")
    finally:
        r.close()


def test_os_mode():
    r = Rig("generic")
    try:
        d = r.data()
        check(d["mode"] == "os" and d["state"] in ("up", "down"),
              "os mode observes: %r" % d)
        check((d["state"] == "up") == (d["interface"] != ""),
              "up with an interface, or down without")
        check(not any(c.startswith("AT+CGACT") for c in r.sim.commands()),
              "os mode never dials")
    finally:
        r.close()


def test_ppp():
    r = Rig("generic", modem_conf(mode="ppp"))
    try:
        d = r.wait_data(lambda d: d["state"] == "failed", "ppp failed")
        check("data.ppp_port" in d["reason"], "no port: %r" % d["reason"])
    finally:
        r.close()
    # a USB selector is looked up in sysfs at each start: none matches
    r = Rig("generic", modem_conf(mode="ppp",
                                  more='ppp_port = "usb:f00d:beef:03";'))
    try:
        d = r.wait_data(lambda d: d["state"] == "failed" and
                        "usb:f00d:beef:03" in d.get("detail", ""),
                        "ppp port selector not found")
        check(d["reason"] == "Network connection error",
              "a USB selector that matches no device: %r (%s)"
              % (d["reason"], d.get("detail")))
    finally:
        r.close()
    if not os.access("/usr/sbin/pppd", os.X_OK):
        print("# pppd not installed: the pppd run is skipped")
        return
    portdir = tempfile.mkdtemp(prefix="cgtest-ppp-")
    port = Sim.start(BUILDDIR, "generic", portdir, name="ppp")
    r = Rig("generic", modem_conf(mode="ppp", more='ppp_port = "%s";'
                                  % port.link))
    try:
        d = r.wait_data(lambda d: d["state"] == "failed" and
                        "pppd exited" in d.get("detail", ""),
                        "pppd ran and exited", 60)
        check(d["reason"] == "Network connection error",
              "pppd's failure: %r (%s)" % (d["reason"], d.get("detail")))
        opts = os.path.join(r.d.dir, "ppp-chat")
        check(not os.path.exists(os.path.join(r.d.dir, "ppp-options")),
              "no options file without credentials")
        check(os.path.exists(opts) and "internet.test" in open(opts).read(),
              "the chat script holds the APN")
    finally:
        r.close()
        port.stop()
        shutil.rmtree(portdir, ignore_errors=True)


def test_config_file():
    d = Daemon()
    try:
        cases = [
            ('data = { mode = "ppp"; apn = "x.y"; ppp_port = "/dev/ttyUSB3";'
             ' auth = "PAP"; };\n', 0, "configuration OK"),
            ('data = { mode = "wifi"; };\n', 1, "data.mode"),
            ('data = { apn = "a b"; };\n', 1, "data.apn"),
            ('data = { ppp_port = ""; };\n', 1, "data.ppp_port"),
            ('data = { ppp_port = 3; };\n', 1, "data.ppp_port"),
        ]
        for conf, want_rc, text in cases:
            d.write_conf(conf)
            p = subprocess.run([cgtest.CELLGATED, "--check-config", "-c",
                                d.conf], capture_output=True, text=True)
            check(p.returncode == want_rc and text in p.stdout + p.stderr,
                  "--check-config %r: %d %s" % (conf.strip(), p.returncode,
                                                (p.stdout + p.stderr).strip()))
    finally:
        d.cleanup()


if __name__ == "__main__":
    run_tests(test_apn_by_sms, test_bad_input, test_profiles_up,
              test_drop_and_redial, test_redial_after_modem_reset,
              test_reasons, test_os_mode, test_ppp, test_config_file)
