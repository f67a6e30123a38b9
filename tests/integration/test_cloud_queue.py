"""test_cloud_queue.py: the uplink queue, the retained status and the Home
Assistant switches, against a real mosquitto on loopback.

A daemon on the simulated modem with two file-backed outputs (each change
is an `io` event).  Covers: cloud.queue_max with the broker unreachable
(the oldest dropped, the rest delivered in order, one `dropped` event with
the right count); cloud.mintime = 1 minute (events within the interval
wait and go together in one upload session, never before the interval);
the retained status not published again for a change undone within its
rate limit nor for the modem's command counters; Home Assistant discovery
of the outputs as switches, their command topic refused until the local
setting cloud.ha_control allows it, then honoured with auth.remote_lock
still applying; cloud.password never shown on any channel; a retained
command runs when published, not again when the broker replays it.
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
PEER = SmsPeer(None, None)   # its daemon and simulator are set in main()

DEV = "dev3"
DEV_PW = "broker-pw-3"
OBS_PW = "observer-pw"
ADMIN = "Adm1n-pw"
D = SIM = B = OBS = None
OUT = {}


def cloud():
    return D.ctl_json("status")["cloud"]


def set_(name, value):
    rc, out, err = D.ctl("settings", "set", name, value)
    if rc != 0:
        raise RuntimeError("settings set %s: %s" % (name, err))


def out_value(n):
    with open(OUT[n]) as f:
        return f.read().strip()


def toggle(n, on):
    rc, reply = D.at("AT+OUT=%d,%s" % (n, "ON" if on else "OFF"))
    if rc != 0:
        raise RuntimeError("AT+OUT: %s" % reply)
    wait_for(lambda: out_value(n) == ("1" if on else "0"), 10, "output")


def events(msgs, kind):
    return [json.loads(m[1]) for m in msgs
            if m[0] == "cellgate/%s/event/%s" % (DEV, kind)]


def collect_from(c, pred, what, timeout=10):
    """Messages c received until pred(all so far) holds."""
    got = []

    def done():
        c.pump()
        got.extend(c.msgs)
        c.msgs.clear()
        return pred(got)
    wait_for(done, timeout, what)
    return got


def collect(pred, timeout, what):
    return collect_from(OBS, pred, what, timeout)


def offline_after_io(g, n):
    """n io events, then the offline of the session that carried them."""
    io = [i for i, m in enumerate(g) if m[0].endswith("/event/io")]
    return len(io) >= n and any(m[1] == b"offline" for m in g[io[-1]:])


def test_queue_cap():
    # the broker's address points nowhere: every event waits
    wait_for(lambda: cloud()["state"] in ("backoff", "connecting"), 20,
             "link failing")
    set_("cloud.queue_max", "10")
    before = cloud()["queued"]
    for i in range(15):
        toggle(1, i % 2 == 0)
    st = cloud()
    expect = before + 15 - 9    # nine kept, and the dropped event
    check(st["queued"] == 10, "queue capped at cloud.queue_max: %d"
          % st["queued"])
    check(st["dropped"] == expect, "dropped counted: %d (expected %d)"
          % (st["dropped"], expect))
    log = D.read_log()
    check("uplink queue full (10)" in log, "the drop is logged")
    set_("cloud.server", "127.0.0.1:%d" % B.port)
    got = collect(lambda g: events(g, "dropped") and
                  len(events(g, "io")) >= 9, 30, "queued events")
    io, dropped = events(got, "io"), events(got, "dropped")
    check(len(io) == 9 and len(dropped) == 1,
          "nine io events and one dropped event: %d, %d"
          % (len(io), len(dropped)))
    # toggles 7..15 were kept: ON for even i, so values 1,0,1,...,1 ending
    # with i = 14 (ON)
    check([e["value"] for e in io] == [1 if i % 2 == 0 else 0
                                       for i in range(6, 15)],
          "the newest kept, in order: %r" % [e["value"] for e in io])
    seqs = [e["seq"] for e in io]
    check(seqs == sorted(seqs), "seq increasing: %r" % seqs)
    d = dropped[0]
    check(d["count"] == expect and d["total"] == expect
          and d["last_seq"] < seqs[0],
          "dropped event: %r (first kept seq %d)" % (d, seqs[0]))
    wait_for(lambda: cloud()["queued"] == 0, 20, "queue drained")
    check(cloud()["dropped"] == expect, "status keeps the total")


def test_status_unchanged():
    wait_for(lambda: cloud()["state"] == "up", 20, "link up")
    OBS.take("cellgate/%s/status" % DEV)

    def status_with(v):
        m = OBS.wait(lambda t, p: t == "cellgate/%s/status" % DEV, 30,
                     "status with output 2 = %d" % v)
        s = json.loads(m[1])
        out2 = [x for x in s["io"]["items"]
                if x["kind"] == "output" and x["index"] == 2][0]
        return s, out2["value"]
    toggle(2, True)
    s, v = None, None
    while v != 1:
        s, v = status_with(1)
    check(not {"commands", "queue", "since"} & set(s["modem"]),
          "the modem's counters and state age are not in the retained "
          "status")
    marks = D.read_log().count("status unchanged, not published again")
    # a reconnect: published once after CONNACK; the link's own state
    # changes ask for a refresh too, but change nothing in the payload
    D.ctl("modem", "at", "AT")
    set_("cloud.keepalive", "2")
    OBS.wait(lambda t, p: t.endswith("/availability") and p == b"online",
             20, "online again")
    D.ctl("modem", "at", "AT")
    wait_for(lambda: D.read_log().count(
        "status unchanged, not published again") > marks, 30,
        "the status compared")
    wait_for(lambda: cloud()["state"] == "up", 20, "link up")
    n = len(OBS.take("cellgate/%s/status" % DEV))
    check(n == 1, "one status per connection, none for the link's state "
          "changes nor the counters: %d" % n)
    toggle(2, False)
    s, v = status_with(0)
    check(v == 0, "a real change is published")


def test_retained_cmd():
    wait_for(lambda: cloud()["state"] == "up", 20, "link up")
    topic = "cellgate/%s/cmd" % DEV
    OBS.publish(topic, "%s#AT+CLOUDID?" % ADMIN, retain=True, corr="ret-1")
    OBS.wait(lambda t, p: t.endswith("/reply")
             and json.loads(p)["request"] == "ret-1", 10, "live reply")
    check(True, "a retained command published live runs once")
    set_("cloud.keepalive", "3")     # a reconnect: the broker replays it
    wait_for(lambda: "message on %s ignored (retained" % topic
             in D.read_log(), 20, "replay ignored")
    OBS.publish(topic, "%s#AT+CLOUDID?" % ADMIN, corr="ret-2")
    OBS.wait(lambda t, p: t.endswith("/reply")
             and json.loads(p)["request"] == "ret-2", 10, "reply")
    check(not [m for m in OBS.take("cellgate/%s/reply" % DEV)
               if json.loads(m[1])["request"] == "ret-1"],
          "replayed at the reconnect: ignored, not run again")
    OBS.publish(topic, b"", retain=True)     # the broker forgets it


def test_mintime():
    set_("cloud.enable", "off")
    set_("cloud.mintime", "1")
    OBS.wait(lambda t, p: t.endswith("/availability") and p == b"offline",
             20, "offline")
    wait_for(lambda: cloud()["state"] == "idle", 20, "idle")
    OBS.pump()
    OBS.msgs.clear()
    toggle(1, True)
    t0 = time.monotonic()
    got = collect(lambda g: offline_after_io(g, 1), 30, "the first upload")
    check(len(events(got, "io")) == 1, "the first event goes at once")
    wait_for(lambda: cloud()["state"] == "idle", 20, "idle again")
    for i in range(3):
        toggle(1, i % 2 == 1)
    got = collect(lambda g: len(events(g, "io")) >= 1, 90, "the batch")
    t2 = time.monotonic()
    got += collect(lambda g: offline_after_io(got + g, 3), 20,
                   "the batched upload")
    check(t2 - t0 >= 59.5, "nothing before the interval: %.1f s after the "
          "first upload" % (t2 - t0))
    seen = [("io", json.loads(m[1])["value"]) if m[0].endswith("/event/io")
            else ("avail", m[1].decode())
            for m in got if m[0].endswith(("/event/io", "/availability"))]
    check(seen == [("avail", "online"), ("io", 0), ("io", 1), ("io", 0),
                   ("avail", "offline")],
          "all three together in one upload session: %r" % seen)
    set_("cloud.mintime", "0")
    set_("cloud.enable", "on")


def ha_config(obj):
    topic = "homeassistant/switch/%s_%s/config" % (DEV, obj)
    m = OBS.wait(lambda t, p: t == topic, 10, topic)
    return json.loads(m[1]), m[2]


def test_ha_switch():
    wait_for(lambda: cloud()["state"] == "up", 20, "link up")
    OBS.subscribe("homeassistant/#")
    set_("cloud.ha_discovery", "on")
    cfg, _ = ha_config("out1")
    check(cfg["name"] == "relay1"
          and "command_topic" not in cfg
          and cfg["state_topic"] == "cellgate/%s/status" % DEV
          and "selectattr('name', 'equalto', 'relay1')" in
          cfg["value_template"],
          "output 1 discovered as a read-only switch: %r" % cfg)
    late = Client(B.port, "observer", OBS_PW, client_id="ha")
    late.subscribe("homeassistant/#")
    got = collect_from(late, lambda g: len(g) >= 3, "retained configs")
    topics = {m[0]: m[2] for m in got}
    check(topics.get("homeassistant/switch/%s_out2/config" % DEV)
          and topics.get("homeassistant/sensor/%s_signal/config" % DEV),
          "configs retained (signal sensor, both switches): %r"
          % sorted(topics))
    late.close()
    toggle(1, False)
    cmd = "cellgate/%s/ha/out1/set" % DEV
    OBS.publish(cmd, "ON")
    OBS.publish("cellgate/%s/cmd" % DEV, "%s#AT+CLOUDID?" % ADMIN,
                corr="ha-1")
    OBS.wait(lambda t, p: t.endswith("/reply")
             and json.loads(p)["request"] == "ha-1", 10, "reply")
    check(out_value(1) == "0",
          "cloud.ha_control off: the switch's command topic changes nothing")
    # a remote channel cannot hand out the role, even with a password
    OBS.publish("cellgate/%s/cmd" % DEV,
                "%s#AT+cloud.ha_control=on" % ADMIN, corr="ha-2")
    m = OBS.wait(lambda t, p: t.endswith("/reply")
                 and json.loads(p)["request"] == "ha-2", 10, "reply")
    text = json.loads(m[1])["text"]
    check(text.startswith("ERROR") and "locally" in text,
          "cloud.ha_control refused over MQTT: %r" % text)
    set_("cloud.ha_control", "on")
    cfg, _ = ha_config("out1")
    check(cfg.get("command_topic") == cmd and cfg["payload_on"] == "ON",
          "with cloud.ha_control on the switch has a command topic")
    OBS.publish(cmd, "ON")
    wait_for(lambda: out_value(1) == "1", 10, "output 1 on")
    check(True, "ha/out1/set ON switches output 1")
    line = "command AT+OUT=1,ON from mqtt ha switch (user): OK"
    try:
        wait_for(lambda: line in D.read_log(), 10, "the command's log line")
    except Exception:
        pass
    check(line in D.read_log(), "run through the registry as the user "
          "role: %r" % [x for x in D.read_log().splitlines()
                        if "AT+OUT" in x][-3:])
    OBS.publish(cmd, "TOGGLE")
    OBS.publish("cellgate/%s/ha/out9/set" % DEV, "OFF")
    set_("auth.remote_lock", "1")
    OBS.publish(cmd, "OFF")
    wait_for(lambda: "OUT is locked for remote channels" in D.read_log(),
             10, "remote lock")
    check(out_value(1) == "1", "auth.remote_lock 1 refuses the switch")
    set_("auth.remote_lock", "0")
    OBS.publish(cmd, "OFF")
    wait_for(lambda: out_value(1) == "0", 10, "output 1 off")
    log = D.read_log()
    check("expected ON or OFF" in log and "no output 9" in log,
          "bad payloads and unknown outputs refused, logged")
    check(D.proc.poll() is None, "daemon alive")


def retained_configs():
    """The discovery configs a client subscribing now is given: a
    marker published after the SUBSCRIBE comes after every retained
    message the broker holds."""
    c = Client(B.port, "observer", OBS_PW, client_id="ha-late")
    c.subscribe("homeassistant/#")
    c.publish("homeassistant/marker", "end")
    c.wait(lambda t, p: t == "homeassistant/marker", 10, "marker")
    got = sorted(m[0] for m in c.msgs if m[0].endswith("/config"))
    c.close()
    return got


def test_ha_removed():
    wait_for(lambda: cloud()["state"] == "up", 20, "link up")
    before = retained_configs()
    check(len(before) >= 5, "discovery on: configs retained: %r" % before)
    OBS.pump()
    OBS.msgs = [m for m in OBS.msgs if not m[0].startswith("homeassistant/")]
    set_("cloud.ha_discovery", "off")
    for t in before:
        OBS.wait(lambda tt, p, t=t: tt == t and p == b"", 10,
                 "the empty config of " + t)
    check(True, "discovery off: an empty retained config for each (%d)"
          % len(before))
    check(retained_configs() == [], "no config left on the broker")
    # turned off while the link is down: removed after the next CONNACK
    set_("cloud.ha_discovery", "on")
    wait_for(lambda: len(retained_configs()) == len(before), 10,
             "configs published again")
    set_("cloud.server", "127.0.0.1:%d" % free_port())
    wait_for(lambda: cloud()["state"] != "up", 20, "link down")
    set_("cloud.ha_discovery", "off")
    check(len(retained_configs()) == len(before),
          "still on the broker while the link is down")
    set_("cloud.server", "127.0.0.1:%d" % B.port)
    wait_for(lambda: cloud()["state"] == "up", 30, "link up again")
    wait_for(lambda: retained_configs() == [], 10,
             "removed after the reconnect")
    check(True, "turned off while offline: removed after CONNACK")
    set_("cloud.ha_discovery", "on")
    wait_for(lambda: len(retained_configs()) == len(before), 10,
             "configs published again")


def test_password_hidden():
    OBS.publish("cellgate/%s/cmd" % DEV, "%s#AT+CLOUDPA?" % ADMIN,
                corr="pa-1")
    m = OBS.wait(lambda t, p: t.endswith("/reply")
                 and json.loads(p)["request"] == "pa-1", 10, "reply")
    text = json.loads(m[1])["text"]
    check(text == "+CLOUDPA:set\nOK", "AT+CLOUDPA? says only that it is "
          "set: %r" % text)
    rc, out, err = D.ctl("settings", "get", "cloud.password")
    check(rc == 0 and DEV_PW not in out, "settings get: %r" % out)
    check("= (set) (config)" in out, "settings get says it is set")
    st = D.ctl_json("settings", "get", "cloud.password")
    check(st["value"] is None and st["set"] is True,
          "settings get --json: value null, set true")
    st = D.ctl_json("settings", "get", "data.password")
    check(st["value"] is None and st["set"] is False,
          "an empty secret: set false")
    rc, out, err = D.ctl("settings", "list")
    check(DEV_PW not in out, "settings list does not show it")
    rc, reply = D.at("AT+CLOUDPA?")
    check(reply == "+CLOUDPA:set\nOK", "cellgatectl at AT+CLOUDPA?: %r"
          % reply)
    OBS.publish("cellgate/%s/cmd" % DEV, "%s#AT+CLOUDPA=%s" %
                (ADMIN, DEV_PW), corr="pa-2")
    OBS.wait(lambda t, p: t.endswith("/reply")
             and json.loads(p)["request"] == "pa-2", 10, "reply")
    check(DEV_PW not in D.read_log(), "never in the log")
    OBS.pump()
    check(not any(DEV_PW.encode() in m[1] for m in OBS.msgs
                  if not m[0].endswith("/cmd")),
          "never in a message the daemon published")


def main():
    global D, SIM, B, OBS
    if not have_mosquitto():
        print("mosquitto not installed: skipped")
        sys.exit(77)
    D = Daemon()
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    PEER.d, PEER.sim = D, SIM
    B = Broker(D.dir, {DEV: DEV_PW, "observer": OBS_PW}).start()
    for n in (1, 2):
        OUT[n] = os.path.join(D.dir, "out%d" % n)
        with open(OUT[n], "w") as f:
            f.write("0\n")
    try:
        D.write_conf('modem = { device = "%s"; };\n'
                     'cloud = { enable = true; server = "127.0.0.1:%d";'
                     ' id = "%s"; password = "%s"; };\n'
                     'io = { outputs = ( { name = "relay1"; file = "%s"; },'
                     ' { name = "relay2"; file = "%s"; } ); };\n'
                     % (SIM.link, free_port(), DEV, DEV_PW, OUT[1], OUT[2]))
        D.start(args=("-d",))
        D.ctl("passwd", "admin", input=ADMIN + "\n")
        wait_for(lambda: D.ctl_json("status")["modem"]["state"] == "ready",
                 30, "modem ready")
        OBS = Client(B.port, "observer", OBS_PW)
        OBS.subscribe("cellgate/%s/#" % DEV)
        run_tests(test_queue_cap, test_status_unchanged, test_ha_switch,
                  test_ha_removed, test_password_hidden, test_retained_cmd,
                  test_mintime)
    finally:
        D.cleanup()
        SIM.stop()
        B.stop()


if __name__ == "__main__":
    main()
