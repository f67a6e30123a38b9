"""test_cloud_link.py: the cloud link's life: on demand, outages, TLS.

A real mosquitto (password file, persistence so that a watcher's kept
session survives the broker's restart) and a daemon on the simulated
modem.  Covers: CONNECT# from an unauthorised sender (silence, no link);
CONNECT,PWD=x# with cloud.enable=off -> the exact SMS answer after
CONNACK, then the idle drop after cloud.idle_timeout; CONNECT# with the
broker unreachable -> `Network connection error` after cloud.connect_wait;
uplink events made
while the broker is stopped, then a daemon restart, then more, all
delivered after the broker returns, each once and in order; TLS with the
right host name up, with a wrong one refused; `cellgatectl cloud`.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cgtest import BUILDDIR, Daemon, check, run_tests, wait_for  # noqa: E402
from modemsim import Sim  # noqa: E402
from mqtt_util import Broker, Client, free_port, have_mosquitto  # noqa: E402
from cgtest import SmsPeer  # noqa: E402
smsh = SmsPeer(None, None)   # its daemon and simulator are set in main()

DEV = "dev2"
DEV_PW = "broker-pw-2"
OBS_PW = "observer-pw"
ADMIN = "Adm1n-pw"
STRANGER = "+491709000009"
D = SIM = B = None


def cloud():
    return D.ctl_json("status")["cloud"]


def set_(name, value):
    rc, out, err = D.ctl("settings", "set", name, value)
    if rc != 0:
        raise RuntimeError("settings set %s: %s" % (name, err))


def observer(clean=True, cid="observer"):
    c = Client(B.port, "observer", OBS_PW, client_id=cid, clean=clean)
    c.subscribe("cellgate/%s/#" % DEV)
    return c


def sms_processed(text, sender="+491701234567"):
    last = max([m["id"] for m in smsh.messages()] or [0])
    for p in smsh.encode_deliver(sender, text):
        SIM.inject_sms(p)
    wait_for(lambda: any(m["direction"] == "in" and m["id"] > last
                         and m["status"] != "new" for m in smsh.messages()),
             20, "SMS processed")


def deferred_reply(sender, text, timeout=60):
    """Send an SMS; the daemon's answer that comes later (CONNECT#)."""
    SIM.check("clear")
    last = max([m["id"] for m in smsh.messages()] or [0])
    for p in smsh.encode_deliver(sender, text):
        SIM.inject_sms(p)

    def answer():
        return next((m for m in smsh.messages() if m["direction"] == "out"
                     and m["id"] > last and m["number"] == sender), None)
    m = wait_for(answer, timeout, "deferred answer")
    wait_for(lambda: D.ctl_json("sms", "show", str(m["id"]))["status"]
             == "sent", 20, "answer sent")
    return smsh.sent()[0][1]


def test_connect_on_demand():
    obs = observer()
    # the modem's start events opened an upload session; it ends when
    # they are acknowledged
    wait_for(lambda: cloud()["state"] == "idle" and cloud()["queued"] == 0,
             30, "idle")
    check(True, "cloud.enable=off: idle once the start events are uploaded")
    check(smsh.sms(STRANGER, "CONNECT#") is None,
          "CONNECT# from an unknown number: no reply")
    check(not [m for m in smsh.messages() if m["direction"] == "out"
               and m["number"] == STRANGER], "... and no answer later")
    r = deferred_reply(STRANGER, "CONNECT,PWD=%s#" % ADMIN)
    check(r == "Connected to\n127.0.0.1:%d\n%s" % (B.port, DEV),
          "CONNECT,PWD=x# answered after CONNACK: %r" % r)
    check(cloud()["state"] == "up", "link up")
    obs.wait(lambda t, p: t.endswith("/availability") and p == b"online", 10,
             "online")
    # no traffic for cloud.idle_timeout (10 s): the session ends
    wait_for(lambda: cloud()["state"] == "idle", 40, "idle drop")
    check(True, "on-demand session dropped after cloud.idle_timeout")
    obs.wait(lambda t, p: t.endswith("/availability") and p == b"offline",
             10, "offline after the idle drop")
    check(True, "offline published on the clean stop")
    rc, out, err = D.ctl("cloud", "connect")
    check(rc == 0, "cellgatectl cloud connect")
    wait_for(lambda: cloud()["state"] == "up", 20, "up again")
    rc, out, err = D.ctl("cloud", "disconnect")
    check(rc == 0 and cloud()["state"] == "idle",
          "cellgatectl cloud disconnect: %s" % err)
    obs.close()


def test_connect_unreachable():
    # nothing listens there: refused at once, retried with backoff until
    # cloud.connect_wait runs out
    set_("cloud.server", "127.0.0.1:%d" % free_port())
    set_("cloud.connect_wait", "10")
    t0 = time.monotonic()
    r = deferred_reply(STRANGER, "CONNECT,PWD=%s#" % ADMIN, timeout=40)
    waited = time.monotonic() - t0
    check(r == "Network connection error",
          "CONNECT# with the broker unreachable: %r" % r)
    check(waited >= 10, "answered after cloud.connect_wait (%.1f s)" % waited)
    check("CONNECT: no connection within 10 s" in D.read_log(),
          "the bounded wait logged with the reason")
    rc, out, err = D.ctl("settings", "set", "cloud.connect_wait", "5")
    check(rc != 0, "cloud.connect_wait below 10 s refused: %s" % err.strip())
    rc, out, err = D.ctl("cloud", "disconnect")
    set_("cloud.server", "127.0.0.1:%d" % B.port)
    wait_for(lambda: cloud()["state"] == "idle", 20, "idle")


def texts(msgs):
    return [json.loads(m[1])["text"] for m in msgs]


def test_outage_and_restart():
    set_("cloud.enable", "on")
    wait_for(lambda: cloud()["state"] == "up", 20, "link up")
    # a kept session: the broker keeps what arrives while we are away
    obs = observer(clean=False, cid="watcher")
    obs.close()
    B.stop()
    wait_for(lambda: cloud()["state"] in ("backoff", "connecting"), 20,
             "link down")
    sms_processed("outage 1")
    sms_processed("outage 2")
    check(cloud()["queued"] >= 2, "events queued while the broker is away: "
          "%d" % cloud()["queued"])
    D.stop()
    D.start()
    sms_processed("outage 3")
    check(cloud()["queued"] >= 3, "queue kept across the daemon's restart")
    B.start()
    wait_for(lambda: cloud()["state"] == "up", 150, "reconnected")
    wait_for(lambda: cloud()["queued"] == 0, 20, "queue drained")
    obs = observer(clean=False, cid="watcher")
    got = []

    def all_in():
        obs.pump()
        got.extend(obs.take("cellgate/%s/event/sms" % DEV))
        return len([t for t in texts(got) if t.startswith("outage")]) >= 3
    wait_for(all_in, 20, "the three events")
    out = [json.loads(m[1]) for m in got]
    out = [e for e in out if e["text"].startswith("outage")]
    seqs = [e["seq"] for e in out]
    check([e["text"] for e in out] == ["outage 1", "outage 2", "outage 3"],
          "all delivered once, in order: %r" % [e["text"] for e in out])
    check(seqs == sorted(seqs) and len(set(seqs)) == 3,
          "seq increasing: %r" % seqs)
    obs.close()
    set_("cloud.enable", "off")


def test_tls():
    set_("cloud.tls", "on")
    rc, out, err = D.ctl("settings", "set", "cloud.ca_file", B.ca)
    check(rc == 0, "cloud.ca_file set locally")
    set_("cloud.server", "127.0.0.1:%d" % B.tls_port)
    set_("cloud.enable", "on")
    wait_for(lambda: cloud()["state"] == "backoff" and
             cloud()["last_error"], 30, "TLS refused")
    err = cloud()["last_error"]
    check(cloud()["state"] != "up" and "hostname mismatch" in err,
          "TLS to a name the certificate does not carry refused: %s" % err)
    set_("cloud.server", "localhost:%d" % B.tls_port)
    wait_for(lambda: cloud()["state"] == "up", 40, "TLS link up")
    check(True, "TLS with the right host name and CA: up")
    obs = observer()
    obs.publish("cellgate/%s/cmd" % DEV, "%s#AT+CLOUDID?" % ADMIN,
                corr="tls-1")
    m = obs.wait(lambda t, p: t.endswith("/reply"), 10, "reply over TLS")
    check(json.loads(m[1])["text"] == "+CLOUDID:%s\nOK" % DEV,
          "command and reply over TLS")
    obs.close()


def main():
    global D, SIM, B
    if not have_mosquitto():
        print("mosquitto not installed: skipped")
        sys.exit(77)
    D = Daemon()
    smsh.d = D
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    smsh.sim = SIM
    B = Broker(D.dir, {DEV: DEV_PW, "observer": OBS_PW}, tls=True,
               persistence=True).start()
    try:
        D.write_conf('modem = { device = "%s"; };\n'
                     'cloud = { enable = false; server = "127.0.0.1:%d";'
                     ' id = "%s"; password = "%s"; idle_timeout = 10; };\n'
                     % (SIM.link, B.port, DEV, DEV_PW))
        D.start()
        D.ctl("passwd", "admin", input=ADMIN + "\n")
        wait_for(lambda: D.ctl_json("status")["modem"]["state"] == "ready",
                 30, "modem ready")
        run_tests(test_connect_on_demand, test_connect_unreachable,
                  test_outage_and_restart, test_tls)
    finally:
        D.cleanup()
        SIM.stop()
        B.stop()


if __name__ == "__main__":
    main()
