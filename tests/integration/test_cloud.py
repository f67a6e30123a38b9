"""test_cloud.py: the cloud link against a real mosquitto on loopback.

The broker refuses anonymous clients and has a password file; the daemon
logs in as its device id.  Covers: `online` retained after CONNACK and the
last will `offline` when the daemon is SIGKILLed; a command on `cmd` and
its reply with the MQTT v5 correlation data (and on the response topic
inside the device's tree only); the fleet topic; a wrong password silent
and counted for lockout, one counter for the broker connection; an SMS
received -> event/sms; sms/send -> the simulator's sent list; malformed
payloads (bad JSON, oversized, binary, retained) ignored or answered,
never a crash, logged without their bytes; the `cloud` status section
and the retained status topic.
"""
import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cgtest import BUILDDIR, Daemon, check, run_tests, wait_for  # noqa: E402
from modemsim import Sim  # noqa: E402
from mqtt_util import Broker, Client, have_mosquitto  # noqa: E402
from cgtest import SmsPeer  # noqa: E402
smsh = SmsPeer(None, None)   # its daemon and simulator are set in main()

DEV = "dev1"
DEV_PW = "broker-pw-1"
OBS_PW = "observer-pw"
SUPER = "Sup3r-pw"
ADMIN = "Adm1n-pw"
D = SIM = B = OBS = None


def cloud():
    return D.ctl_json("status")["cloud"]


def conf(port):
    return ('modem = { device = "%s"; };\n'
            'cloud = { enable = true; server = "127.0.0.1:%d"; id = "%s";'
            ' password = "%s"; keepalive = 1; };\n'
            % (SIM.link, port, DEV, DEV_PW))


def start_daemon():
    D.write_conf(conf(B.port))
    D.start()
    wait_for(lambda: cloud()["state"] == "up", 20, "cloud link up")


def reply_for(corr, timeout=10):
    m = OBS.wait(lambda t, p: t == "cellgate/%s/reply" % DEV
                 and json.loads(p).get("request") == corr, timeout,
                 "reply " + corr)
    return json.loads(m[1])["text"], m[3]


def test_anonymous_refused():
    try:
        Client(B.port, "", "", client_id="anon")
        check(False, "anonymous client refused")
    except (RuntimeError, ConnectionError, OSError):
        check(True, "anonymous client refused")
    try:
        Client(B.port, DEV, "wrong", client_id="bad")
        check(False, "wrong broker password refused")
    except (RuntimeError, ConnectionError, OSError):
        check(True, "wrong broker password refused")


def test_online_status():
    st = cloud()
    check(st["state"] == "up" and st["broker"] == "127.0.0.1:%d" % B.port
          and st["id"] == DEV, "status cloud section: %r" % st)
    m = OBS.wait(lambda t, p: t == "cellgate/%s/availability" % DEV, 10,
                 "availability")
    check(m[1] == b"online" and m[2], "availability online, retained")
    m = OBS.wait(lambda t, p: t == "cellgate/%s/status" % DEV, 10, "status")
    s = json.loads(m[1])
    check(m[2] and "modem" in s and "sms" in s and "bridge" in s,
          "retained status with modem, sms, bridge sections")
    rc, out, err = D.ctl("status")
    check(rc == 0 and "cloud:" in out and "queued:" in out,
          "cellgatectl status prints the cloud section")


def test_cmd_reply():
    own = "cellgate/%s/answers/1" % DEV
    OBS.publish("cellgate/%s/cmd" % DEV, "STATUS,PWD=%s#" % ADMIN,
                corr="req-1", resp=own)
    text, props = reply_for("req-1")
    check(text.startswith("Modem:"), "STATUS# over MQTT: %r" % text)
    check(props.get(0x09) == b"req-1", "correlation data echoed")
    m = OBS.wait(lambda t, p: t == own, 10, "response topic")
    check(json.loads(m[1])["request"] == "req-1",
          "reply on a response topic inside the device's tree")
    # a response topic elsewhere is not honoured: the reply goes to
    # `reply` only (req-1b's own-tree answer proves req-1a's was sent)
    OBS.publish("cellgate/%s/cmd" % DEV, "STATUS,PWD=%s#" % ADMIN,
                corr="req-1a", resp="client/replies")
    OBS.publish("cellgate/%s/cmd" % DEV, "STATUS,PWD=%s#" % ADMIN,
                corr="req-1b", resp=own)
    reply_for("req-1a")
    OBS.wait(lambda t, p: t == own and json.loads(p)["request"] == "req-1b",
             10, "req-1b on the response topic")
    OBS.publish("cellgate/%s/cmd" % DEV, "STATUS,PWD=%s#" % ADMIN,
                corr="req-1c", resp="cellgate/%s/cmd" % DEV)
    reply_for("req-1c")
    check(OBS.take("client/replies") == [],
          "a response topic outside cellgate/<id>/ is not published to")
    check("response topic cellgate/%s/cmd ignored" % DEV in D.read_log(),
          "nor the device's own command topic")
    check("response topic client/replies ignored" in D.read_log(),
          "the ignored response topic is logged")
    OBS.publish("cellgate/%s/cmd" % DEV, "%s#AT+CLOUDID?" % ADMIN,
                corr="req-2")
    text, _ = reply_for("req-2")
    check(text == "+CLOUDID:%s\nOK" % DEV, "AT form over MQTT: %r" % text)
    OBS.publish("cellgate/all/cmd", "%s#AT+KEEPALIVE?" % ADMIN, corr="fleet")
    text, _ = reply_for("fleet")
    check(text == "+KEEPALIVE:1\nOK", "fleet broadcast answered: %r" % text)


def test_wrong_password_silent():
    before = len(OBS.take("cellgate/%s/reply" % DEV))
    for i in range(3):
        OBS.publish("cellgate/%s/cmd" % DEV, "STATUS,PWD=nope%d#" % i,
                    corr="bad-%d" % i)
    OBS.publish("cellgate/%s/cmd" % DEV, "STATUS#", corr="nopw")
    # a correct command after them proves the bad ones were processed
    OBS.publish("cellgate/%s/cmd" % DEV, "STATUS,PWD=%s#" % SUPER,
                corr="good")
    text, _ = reply_for("good")
    replies = OBS.take("cellgate/%s/reply" % DEV)
    check(not any(json.loads(p).get("request", "").startswith(("bad", "nopw"))
                  for _, p, _, _ in replies),
          "wrong or missing password: no reply (%d before)" % before)
    log = D.read_log()
    check(log.count("auth: mqtt broker 127.0.0.1:%d: wrong password"
                    % B.port) >= 3,
          "wrong passwords logged for the broker connection")
    check("Sup3r" not in log and "nope0" not in log,
          "passwords not in the log")


def test_sms_event_and_send():
    for p in smsh.encode_deliver("+491701234567", "hello cloud"):
        SIM.inject_sms(p)
    m = OBS.wait(lambda t, p: t == "cellgate/%s/event/sms" % DEV, 20,
                 "event/sms")
    ev = json.loads(m[1])
    check(ev["from"] == "+491701234567" and ev["text"] == "hello cloud"
          and ev["seq"] > 0 and "time" in ev and "id" in ev,
          "SMS received -> event/sms: %r" % ev)
    # a password before '#' is redacted whatever follows it
    for p in smsh.encode_deliver("+491701234567", "%s#ATVER" % SUPER):
        SIM.inject_sms(p)
    m = OBS.wait(lambda t, p: t == "cellgate/%s/event/sms" % DEV, 20,
                 "event/sms of pw#ATVER")
    check(json.loads(m[1])["text"] == "***#ATVER",
          "pw#ATVER published redacted: %r" % m[1])
    SIM.check("clear")
    OBS.publish("cellgate/%s/sms/send" % DEV, json.dumps(
        {"to": "+491709999999", "text": "from the cloud",
         "password": ADMIN}), corr="sms-1")
    text, _ = reply_for("sms-1")
    check(text.startswith("OK "), "sms/send accepted: %r" % text)

    def sent():
        return [x for x in smsh.sent()
                if x == ("+491709999999", "from the cloud")]
    wait_for(sent, 20, "the SMS sent by the modem")
    check(True, "sms/send -> the simulator's sent list")
    OBS.publish("cellgate/%s/sms/send" % DEV, json.dumps(
        {"to": "+491709999999", "text": "x", "password": "wrong"}),
        corr="sms-2")
    OBS.publish("cellgate/%s/cmd" % DEV, "STATUS,PWD=%s#" % ADMIN,
                corr="after-sms")
    reply_for("after-sms")
    check(not [m for m in OBS.take("cellgate/%s/reply" % DEV)
               if json.loads(m[1]).get("request") == "sms-2"],
          "sms/send with a wrong password: no reply")


def test_malformed():
    t = "cellgate/%s/" % DEV
    OBS.publish(t + "sms/send", "{not json", corr="m1")
    OBS.publish(t + "sms/send", json.dumps({"to": "+1", "text": 5,
                                            "password": ADMIN}), corr="m2")
    OBS.publish(t + "cmd", b"\x00\xff\xfe binary", corr="m3")
    OBS.publish(t + "cmd", "STATUS,PWD=%s#" % ADMIN + "x" * 5000, corr="m4")
    OBS.publish(t + "cmd", "%s#AT+NOSUCH?" % ADMIN, corr="m5")
    OBS.publish("cellgate/all/cmd", b"\xc3\x28", corr="m6")
    text, _ = reply_for("m5")
    check(text == "ERROR: unknown command NOSUCH",
          "unknown command answered with an error: %r" % text)
    check(D.proc.poll() is None, "daemon alive after malformed payloads")
    # m6 went to the fleet topic: its log line may follow m5's reply.
    marks = ("not a JSON object", "payload is not UTF-8", "payload too long")
    try:
        wait_for(lambda: all(m in D.read_log() for m in marks), 10,
                 "the malformed payloads' log lines")
        logged = True
    except TimeoutError:
        logged = False
    log = D.read_log()
    check(logged, "malformed payloads logged: %s" %
          [m for m in marks if m not in log])
    # refused payloads carrying the password: oversized (m4), control
    # bytes, bad sms/send JSON (retained: test_will_on_sigkill)
    OBS.publish(t + "cmd", "%s#AT+VER\x01" % ADMIN, corr="m8")
    OBS.publish(t + "sms/send", '{"password": "%s", "to": ' % ADMIN,
                corr="m9")
    OBS.publish(t + "cmd", "STATUS,PWD=%s#" % ADMIN, corr="m7")
    reply_for("m7")
    check(True, "still answering after malformed payloads")
    log = D.read_log()
    check(ADMIN not in log and "\\x00" not in log and "\\xff" not in log
          and "binary" not in log,
          "refused payloads logged by size and reason, never their bytes")


def test_lockout_per_source():
    """One source per broker connection: wrong passwords on all/cmd lock
    out cmd and sms/send too."""
    for i in range(5):
        OBS.publish("cellgate/all/cmd", "STATUS,PWD=bad%d#" % i,
                    corr="lk%d" % i)
    OBS.publish("cellgate/%s/cmd" % DEV, "STATUS,PWD=%s#" % ADMIN,
                corr="lk-cmd")
    OBS.publish("cellgate/%s/sms/send" % DEV, json.dumps(
        {"to": "+491709999999", "text": "x", "password": ADMIN}),
        corr="lk-sms")
    src = "mqtt broker 127.0.0.1:%d" % B.port
    wait_for(lambda: D.read_log().count("auth: %s ignored: locked out"
                                        % src) >= 2, 30,
             "cmd and sms/send refused as locked out")
    check(not [m for m in OBS.take("cellgate/%s/reply" % DEV)
               if (json.loads(m[1]).get("request") or "").startswith("lk")],
          "wrong passwords on all/cmd lock out the broker connection: "
          "cmd and sms/send get nothing, even with the right password")


def test_will_on_sigkill():
    # a retained command comes again at the next connect: refused then,
    # and logged without its bytes
    OBS.publish("cellgate/%s/cmd" % DEV, "STATUS,PWD=%s#" % ADMIN,
                retain=True)
    OBS.take("cellgate/%s/availability" % DEV)
    D.kill9()
    m = OBS.wait(lambda t, p: t == "cellgate/%s/availability" % DEV, 10,
                 "last will")
    check(m[1] == b"offline", "SIGKILL -> the broker publishes offline")
    D.start()
    m = OBS.wait(lambda t, p: t == "cellgate/%s/availability" % DEV
                 and p == b"online", 20, "online again")
    check(True, "online again after restart")
    wait_for(lambda: "(retained, " in D.read_log(), 10, "retained refused")
    OBS.publish("cellgate/%s/cmd" % DEV, b"", retain=True)   # forget it
    check(ADMIN not in D.read_log(),
          "the retained command is logged without its bytes")


def main():
    global D, SIM, B, OBS
    if not have_mosquitto():
        print("mosquitto not installed: skipped")
        sys.exit(77)
    D = Daemon()
    smsh.d = D
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    smsh.sim = SIM
    B = Broker(D.dir, {DEV: DEV_PW, "observer": OBS_PW}).start()
    try:
        D.write_conf(conf(B.port))
        D.start()
        D.ctl("passwd", "superadmin", input=SUPER + "\n")
        D.ctl("passwd", "admin", input=ADMIN + "\n")
        wait_for(lambda: cloud()["state"] == "up", 20, "cloud link up")
        OBS = Client(B.port, "observer", OBS_PW)
        for t in ("cellgate/#", "client/#"):
            OBS.subscribe(t)
        run_tests(test_anonymous_refused, test_online_status, test_cmd_reply,
                  test_wrong_password_silent, test_sms_event_and_send,
                  test_malformed, test_lockout_per_source,
                  test_will_on_sigkill)
    finally:
        D.cleanup()
        SIM.stop()
        B.stop()


if __name__ == "__main__":
    main()
