"""test_sms_seeds.py: replies by SMS as the USR seed gives them.

Covers: PASSWORD#AT+S answers OK by SMS (the checkpoint it asks for runs
after the message's transaction, not inside it) and the database is
checkpointed; AT+H by SMS comes whole, as several messages split between
lines, the last ending with OK; AT+SOCKASL? answers +SOCKASL:short; the
=? answers in the seed's form (AT+SOCKA=?, AT+WKMOD=?, AT+SMSSEND=?);
AT+RSTIM refuses 1..59 and changes nothing.
"""
import os

from cgtest import BUILDDIR, Daemon, SmsPeer, check, run_tests, wait_for
from modemsim import Sim

D = SIM = PEER = None
PW = "Sup3r-pw"
ME = "+491709000001"


def sent_messages(sender):
    """The messages sent to sender, concatenated parts joined."""
    msgs, parts = [], {}
    for m in map(SmsPeer.decode, (s["pdu"] for s in SIM.sent())):
        if m["number"] != sender:
            continue
        c = m.get("concat")
        if not c:
            msgs.append(m["text"])
            continue
        parts.setdefault(c["ref"], {})[c["part"]] = m["text"]
        if len(parts[c["ref"]]) == c["parts"]:
            done = parts.pop(c["ref"])
            msgs.append("".join(done[i] for i in range(1, c["parts"] + 1)))
    return msgs


def replies_to(sender, text):
    """Every message the daemon sent back for one SMS, in order."""
    PEER.sms(sender, text)
    outs = [m for m in PEER.messages() if m["direction"] == "out" and
            m["number"] == sender]
    wait_for(lambda: all(D.ctl_json("sms", "show", str(m["id"]))["status"]
                         == "sent" for m in outs), 30, "replies sent")
    return sent_messages(sender)


def test_save_by_sms():
    wal = D.db + "-wal"
    r = PEER.sms(ME, "%s#AT+S" % PW)
    check(r == "OK", "AT+S by SMS answers OK: %r" % r)
    check(not os.path.exists(wal) or os.path.getsize(wal) < 64 * 1024,
          "and the log was written out")
    check("save failed" not in D.read_log() and "AT+S:" not in D.read_log(),
          "no checkpoint error logged")


def test_help_whole():
    want = D.at("AT+H")[1]
    got = replies_to(ME, "%s#AT+H" % PW)
    check(len(got) >= 2 and all(len(t.encode()) <= 1500 for t in got),
          "AT+H by SMS: %d messages within the cap: %r"
          % (len(got), [len(t) for t in got]))
    check("\n".join(got) == want and got[-1].endswith("OK") and
          "[...]" not in "".join(got),
          "nothing cut, split between lines, OK at the end: %r / %r"
          % (got, want))


def test_seed_forms():
    for cmd, want in (
            ("AT+SOCKASL=short", "OK"),
            ("AT+SOCKASL?", "+SOCKASL:short\nOK"),
            ("AT+SOCKASL=long", "OK"),
            ("AT+SOCKA=?", '+SOCKA:<"TCP","UDP">,<"address">,<port>\nOK'),
            ("AT+WKMOD=?", '+WKMOD:<"CMD","SMS","NET","HTTPD">\nOK'),
            ("AT+SMSSEND=?", '+SMSSEND:<"number">,<1,2,3>,<"data">\nOK'),
            ("AT+SOCKAEN=?", '+SOCKAEN:<"on","off">\nOK'),
            ("AT+RSTIM=?", "+RSTIM:<0,60..65535>\nOK")):
        r = PEER.sms(ME, "%s#%s" % (PW, cmd))
        check(r == want, "%s by SMS: %r" % (cmd, r))
    r = PEER.sms(ME, "%s#AT+RSTIM=30" % PW)
    check(r is not None and r.startswith("ERROR") and
          D.at("AT+RSTIM?")[1] == "+RSTIM:0\nOK",
          "AT+RSTIM=30 refused, nothing changed: %r" % r)


def main():
    global D, SIM, PEER
    D = Daemon()
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    PEER = SmsPeer(D, SIM)
    D.write_conf('modem = { device = "%s"; };\n' % SIM.link)
    D.start()
    wait_for(lambda: D.ctl_json("status")["modem"]["state"] == "ready", 30,
             "modem ready")
    D.ctl("passwd", "superadmin", input=PW + "\n")
    try:
        run_tests(test_save_by_sms, test_help_whole, test_seed_forms)
    finally:
        D.cleanup()
        SIM.stop()


if __name__ == "__main__":
    main()
