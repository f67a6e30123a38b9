"""test_cloud_ha.py: Home Assistant MQTT discovery per Home Assistant's
schema, against a real mosquitto on loopback.

A daemon on the simulated modem with an output, an input and a
temperature sensor, discovery on.  Covers: the device block (model,
sw_version, hw_version, serial_number from the status report) and the
origin block in every config; the signal in dBm with device_class,
unit and state_class, the modem's details as diagnostic entities, the
optional quality/RSRP/RSRQ sensors only when the status has them;
temperatures with state_class measurement; io value templates selecting
items by name; received SMS as an event entity fed by event/sms;
cloud.ha_prefix (bad values refused; configs moved to the new prefix,
the old ones removed, <prefix>/status honoured); the notify entity
(only with cloud.ha_control on and cloud.ha_notify_to set; its text sent
as an SMS to that phonebook position through the outbox, the daily cap
and auth.remote_lock applying; refused otherwise); no secret in any
config.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cgtest import (BUILDDIR, Daemon, SmsPeer, check, run_tests,  # noqa: E402
                    wait_for)
from modemsim import Sim  # noqa: E402
from mqtt_util import Broker, Client, free_port, have_mosquitto  # noqa: E402

DEV = "dev7"
DEV_PW = "broker-pw-7"
OBS_PW = "observer-pw"
ADMIN = "Adm1n-pw"
FRIEND = "+491701000002"
D = SIM = B = OBS = PEER = None
EXAMPLES = {}


def cloud():
    return D.ctl_json("status")["cloud"]


def set_(name, value):
    rc, out, err = D.ctl("settings", "set", name, value)
    if rc != 0:
        raise RuntimeError("settings set %s: %s" % (name, err))


def configs(prefix="homeassistant"):
    """The retained discovery configs under prefix: {topic: object}."""
    c = Client(B.port, "observer", OBS_PW, client_id="ha-late")
    c.subscribe(prefix + "/#")
    c.publish(prefix + "/marker", "end")
    c.wait(lambda t, p: t == prefix + "/marker", 10, "marker")
    got = {m[0]: json.loads(m[1]) for m in c.msgs
           if m[0].endswith("/config") and m[1]}
    c.close()
    return got


def topic(component, obj, prefix="homeassistant"):
    return "%s/%s/%s_%s/config" % (prefix, component, DEV, obj)


def test_device_and_origin():
    cfgs = wait_for(lambda: (lambda c: c if topic("sensor", "signal") in c
                             and c[topic("sensor", "signal")]["device"]
                             .get("serial_number") else None)(configs()),
                    20, "discovery with the modem's identity")
    modem = D.ctl_json("status")["modem"]
    version = D.ctl_json("status")["daemon"]["version"]
    dev = cfgs[topic("sensor", "signal")]["device"]
    check(dev == {"identifiers": ["cellgate_" + DEV], "name": "cellgate " + DEV,
                  "manufacturer": "cellgate",
                  "model": "%s %s" % (modem["manufacturer"], modem["model"]),
                  "sw_version": version, "hw_version": modem["revision"],
                  "serial_number": modem["imei"]},
          "device block from the status report: %r" % dev)
    for t, c in cfgs.items():
        if not (c.get("device") == dev and
                c.get("origin") == {"name": "cellgate", "sw_version": version}
                and c.get("availability_topic") ==
                "cellgate/%s/availability" % DEV and
                c.get("unique_id") == t.split("/")[2]):
            check(False, "device, origin, availability in %s: %r" % (t, c))
            return
    check(True, "every config (%d) has the device, the origin block and "
          "the availability topic" % len(cfgs))
    blob = json.dumps(cfgs)
    check(DEV_PW not in blob and ADMIN not in blob,
          "no secret in any discovery config")
    EXAMPLES.update(cfgs)


def test_signal_and_diagnostics():
    cfgs = configs()
    s = cfgs[topic("sensor", "signal")]
    check(s["device_class"] == "signal_strength" and
          s["unit_of_measurement"] == "dBm" and
          s["state_class"] == "measurement" and
          s["entity_category"] == "diagnostic" and
          s["value_template"] == "{{ value_json.modem.signal_dbm }}" and
          s["state_topic"] == "cellgate/%s/status" % DEV,
          "signal: dBm, signal_strength, measurement, diagnostic: %r" % s)
    for obj in ("modem_state", "operator"):
        c = cfgs.get(topic("sensor", obj))
        check(c is not None and c["entity_category"] == "diagnostic",
              "%s is a diagnostic sensor: %r" % (obj, c))
    modem = D.ctl_json("status")["modem"]
    for obj, unit in (("signal_quality", "%"), ("rsrp", "dBm"),
                      ("rsrq", "dB")):
        c = cfgs.get(topic("sensor", obj))
        if obj in modem:
            check(c is not None and c["unit_of_measurement"] == unit and
                  c["state_class"] == "measurement" and
                  c["entity_category"] == "diagnostic",
                  "%s published (in the status): %r" % (obj, c))
        else:
            check(c is None, "%s not published (not in the status)" % obj)
    check(not any("last_sms" in t for t in cfgs), "no Last SMS sensor")


def test_io_by_name():
    cfgs = configs()
    sw = cfgs[topic("switch", "out1")]
    bs = cfgs[topic("binary_sensor", "in1")]
    tp = cfgs[topic("sensor", "temp1")]
    sel = "(value_json.io['items'] | selectattr('name', 'equalto', '%s') | first)"
    check(sw["value_template"] == "{{ 'ON' if %s.value == 1 else 'OFF' }}"
          % (sel % "relay1") and sw["name"] == "relay1",
          "switch template selects relay1 by name: %r" % sw["value_template"])
    check(bs["value_template"] == "{{ 'ON' if %s.value == 1 else 'OFF' }}"
          % (sel % "door") and bs["payload_on"] == "ON",
          "binary_sensor template by name: %r" % bs["value_template"])
    check(tp["value_template"] == "{{ %s.value }}" % (sel % "boiler") and
          tp["device_class"] == "temperature" and
          tp["unit_of_measurement"] == "\u00b0C" and
          tp["state_class"] == "measurement",
          "temperature: by name, measurement: %r" % tp)
    check(not any("items'][" in c.get("value_template", "")
                  for c in cfgs.values()), "no template picks by position")


def test_sms_event_entity():
    cfgs = configs()
    e = cfgs.get(topic("event", "sms"))
    check(e is not None and e["event_types"] == ["received"] and
          e["state_topic"] == "cellgate/%s/event/sms" % DEV and
          "'event_type': 'received'" in e["value_template"] and
          all(("'%s': value_json.%s" % (k, k)) in e["value_template"]
              for k in ("from", "text", "time")),
          "received SMS as an event entity: %r" % e)
    OBS.subscribe("cellgate/%s/event/sms" % DEV)
    PEER.sms("+491709999999", "hello HA")
    m = OBS.wait(lambda t, p: t.endswith("/event/sms") and
                 json.loads(p)["text"] == "hello HA", 20, "event/sms")
    ev = json.loads(m[1])
    check(ev["from"] == "+491709999999" and ev["time"] and m[2] is False,
          "its state topic carries from, text, time (not retained): %r" % ev)


def test_prefix():
    for bad in ("", "a//b", "/ha", "ha/", "ha/+", "ha#", "h a", "x" * 65):
        rc, out, err = D.ctl("settings", "set", "cloud.ha_prefix", bad)
        check(rc != 0 and err.count("cloud.ha_prefix") <= 1 and
              err.strip() != "", "cloud.ha_prefix %r refused: %r"
              % (bad, err.strip()))
    check(D.ctl_json("settings", "get", "cloud.ha_prefix")["value"] ==
          "homeassistant", "cloud.ha_prefix unchanged")
    n = len(configs())
    set_("cloud.ha_prefix", "site/ha")
    wait_for(lambda: len(configs("site/ha")) == n, 10,
             "configs under the new prefix")
    wait_for(lambda: configs() == {}, 10, "old prefix emptied")
    check(True, "cloud.ha_prefix moves the %d configs, the old ones removed"
          % n)
    c = Client(B.port, "observer", OBS_PW, client_id="ha-watch")
    c.subscribe("site/ha/#")
    c.msgs = []
    c.publish("site/ha/status", "online")
    c.wait(lambda t, p: t == topic("sensor", "signal", "site/ha"), 10,
           "re-sent on <prefix>/status online")
    c.close()
    check(True, "<prefix>/status online re-sends the discovery")
    D.ctl("settings", "reset", "cloud.ha_prefix")
    wait_for(lambda: len(configs()) == n and configs("site/ha") == {}, 10,
             "back to homeassistant")


def barrier(corr):
    """A command answered after everything published before it ran."""
    OBS.publish("cellgate/%s/cmd" % DEV, "%s#AT+CLOUDID?" % ADMIN, corr=corr)
    OBS.wait(lambda t, p: t.endswith("/reply") and
             json.loads(p)["request"] == corr, 10, "reply")


def test_notify():
    notify_cfg = topic("notify", "notify")
    cmd = "cellgate/%s/ha/notify" % DEV
    check(notify_cfg not in configs(), "no notify entity by default")
    for bad in ("101", "-1", "two", "1 2"):
        rc, out, err = D.ctl("settings", "set", "cloud.ha_notify_to", bad)
        check(rc != 0, "cloud.ha_notify_to %r refused: %r" % (bad, err.strip()))
    OBS.publish("cellgate/%s/cmd" % DEV, "%s#AT+cloud.ha_notify_to=2" % ADMIN,
                corr="n-1")
    m = OBS.wait(lambda t, p: t.endswith("/reply") and
                 json.loads(p)["request"] == "n-1", 10, "reply")
    check("locally" in json.loads(m[1])["text"],
          "cloud.ha_notify_to cannot be set over MQTT")
    set_("cloud.ha_notify_to", "2")
    check(notify_cfg not in configs(),
          "no notify entity while cloud.ha_control is off")
    outs = lambda: [x for x in PEER.messages() if x["direction"] == "out"
                    and x["number"] == FRIEND]
    OBS.publish(cmd, "not honoured")
    barrier("n-2")
    check(outs() == [], "cloud.ha_control off: no SMS")
    set_("cloud.ha_control", "on")
    c = wait_for(lambda: configs().get(notify_cfg), 10, "notify config")
    check(c["command_topic"] == cmd and c["name"] == "SMS to friend" and
          "state_topic" not in c, "notify entity: %r" % c)
    EXAMPLES[notify_cfg] = c
    text = "Alarm: door open, 21\u00b0C; call me"
    OBS.publish(cmd, text)
    sent = wait_for(lambda: [x for x in outs() if x["text"] == text], 20,
                    "the notify SMS queued")
    wait_for(lambda: D.ctl_json("sms", "show", str(sent[0]["id"]))["status"]
             == "sent", 20, "sent")
    check((FRIEND, text) in PEER.sent(),
          "the payload went out as an SMS to phonebook position 2")
    check(D.ctl_json("sms", "show", str(sent[0]["id"]))["origin"] ==
          "mqtt ha notify", "through the outbox, origin named")
    set_("auth.remote_lock", "8")
    OBS.publish(cmd, "locked")
    wait_for(lambda: "SMSSEND is locked for remote channels" in D.read_log(),
             10, "remote lock")
    set_("auth.remote_lock", "0")
    today = D.ctl_json("status")["sms"]["sent_today"]
    set_("sms.daily_limit", str(today))
    OBS.publish(cmd, "over the cap")
    wait_for(lambda: "daily limit" in D.read_log(), 10, "daily cap")
    D.ctl("settings", "reset", "sms.daily_limit")
    check(not [x for x in outs() if x["text"] in ("locked", "over the cap")],
          "auth.remote_lock and the daily cap refuse it")
    set_("cloud.ha_control", "off")
    wait_for(lambda: notify_cfg not in configs(), 10, "notify removed")
    check(True, "cloud.ha_control off removes the notify entity")
    D.ctl("settings", "reset", "cloud.ha_notify_to")


def test_upgrade_removes_last_sms():
    """A config published before cloud.ha_prefix existed ("component/uid"
    in the record, e.g. the old Last SMS sensor) is removed."""
    import sqlite3
    old = topic("sensor", "last_sms")
    c = Client(B.port, "observer", OBS_PW, client_id="old-daemon")
    c.publish(old, json.dumps({"name": "Last SMS"}), retain=True)
    c.close()
    check(old in configs(), "an old Last SMS config on the broker")
    D.stop()
    db = sqlite3.connect(D.db)
    row = db.execute("SELECT value FROM meta WHERE key = "
                     "'cloud.ha_configs'").fetchone()
    db.execute("UPDATE meta SET value = ? WHERE key = 'cloud.ha_configs'",
               (row[0] + " sensor/%s_last_sms" % DEV,))
    db.commit()
    db.close()
    D.start()
    wait_for(lambda: old not in configs(), 20, "the old config removed")
    check(True, "the old config (recorded without a prefix) is removed")
    check(topic("event", "sms") in configs(), "the event entity stays")


def test_print_examples():
    """The payloads as published, one of each (for the docs)."""
    for t, c in sorted(EXAMPLES.items()):
        print("# %s\n# %s" % (t, json.dumps(c, ensure_ascii=False)))
    kinds = sorted(set(t.split("/")[1] for t in EXAMPLES))
    check(kinds == ["binary_sensor", "event", "notify", "sensor", "switch"],
          "examples of each component: %s" % kinds)


def main():
    global D, SIM, B, OBS, PEER
    if not have_mosquitto():
        print("mosquitto not installed: skipped")
        sys.exit(77)
    D = Daemon()
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    PEER = SmsPeer(D, SIM)
    B = Broker(D.dir, {DEV: DEV_PW, "observer": OBS_PW}).start()
    paths = {n: os.path.join(D.dir, n) for n in ("out1", "in1", "temp1")}
    for n, v in (("out1", "0"), ("in1", "0"), ("temp1", "21.5")):
        with open(paths[n], "w") as f:
            f.write(v + "\n")
    try:
        D.write_conf('modem = { device = "%s"; };\n'
                     'cloud = { enable = true; server = "127.0.0.1:%d";'
                     ' id = "%s"; password = "%s"; ha_discovery = true; };\n'
                     'io = { outputs = ( { name = "relay1"; file = "%s"; } );'
                     ' inputs = ( { name = "door"; file = "%s"; } );'
                     ' sensors = ( { name = "boiler"; file = "%s"; } ); };\n'
                     % (SIM.link, B.port, DEV, DEV_PW, paths["out1"],
                        paths["in1"], paths["temp1"]))
        D.start()
        D.ctl("passwd", "admin", input=ADMIN + "\n")
        D.ctl("phonebook", "add", "2", FRIEND, "name=friend")
        wait_for(lambda: D.ctl_json("status")["modem"]["state"] == "ready",
                 30, "modem ready")
        wait_for(lambda: cloud()["state"] == "up", 20, "link up")
        OBS = Client(B.port, "observer", OBS_PW)
        OBS.subscribe("cellgate/%s/reply" % DEV)
        run_tests(test_device_and_origin, test_signal_and_diagnostics,
                  test_io_by_name, test_sms_event_entity, test_prefix,
                  test_notify, test_upgrade_removes_last_sms,
                  test_print_examples)
    finally:
        D.cleanup()
        SIM.stop()
        B.stop()


if __name__ == "__main__":
    main()
