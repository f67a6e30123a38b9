"""test_sms_repeats.py: genuine repeats are processed, copies are not.

Through cellgated and cellgate-modemsim: two identical command messages
(same sender, same service-centre time stamp, same text) both run and
both get a reply; a network that gives every message the same bad time
stamp still has each repeat run; a message committed but not deleted
when the daemon is SIGKILLed (its AT+CMGD left unanswered) is listed
again at the next start and runs once.
"""
import json
import subprocess

from cgtest import (BUILDDIR, CELLGATECTL, Daemon, check, run_tests,
                    wait_for)
from modemsim import Sim

D = None
SIM = None
ADMIN_PW = "rep3at-pw"


def encode(sender, text, stamp):
    p = subprocess.run([CELLGATECTL, "--json", "pdu", "encode", "--deliver",
                        "--time", stamp, sender, text], capture_output=True,
                       text=True, check=True)
    return json.loads(p.stdout)["parts"][0]["pdu"]


def messages():
    return D.ctl_json("sms", "list", "--limit", "10000")


def inbox(sender):
    return [m for m in messages() if m["direction"] == "in" and
            m["number"] == sender]


def replies(sender):
    return [m for m in messages() if m["direction"] == "out" and
            m["number"] == sender]


def ready():
    return D.ctl_json("status")["modem"]["state"] == "ready"


def start_daemon():
    D.start()
    wait_for(ready, 30, "modem ready")


def settled(sender, n):
    """n messages from sender processed and every reply to it sent."""
    ins = inbox(sender)
    return (len(ins) >= n and all(m["status"] != "new" for m in ins) and
            all(m["status"] in ("sent", "failed", "uncertain")
                for m in replies(sender)))


def test_same_second_twice():
    sender = "+491705550001"
    pdu = encode(sender, ADMIN_PW + "#AT+VER", "2026-03-01T10:00:00+01:00")
    SIM.check("clear")
    SIM.inject_sms(pdu)
    SIM.inject_sms(pdu)
    wait_for(lambda: settled(sender, 2), 30, "both messages processed")
    check(len(inbox(sender)) == 2, "two identical messages in one second "
          "are both logged (%d)" % len(inbox(sender)))
    out = replies(sender)
    check(len(out) == 2 and all(m["status"] == "sent" for m in out),
          "and both get a reply (%s)" % [m["status"] for m in out])
    check(SIM.storage() == [], "both deleted from the modem")


def test_constant_bad_time_stamp():
    sender = "+491705550002"
    # a network whose clock is stuck: every message the same stamp
    stamp = "2000-01-01T00:00:00+00:00"
    SIM.check("clear")
    for i in range(3):
        SIM.inject_sms(encode(sender, ADMIN_PW + "#AT+VER", stamp))
        wait_for(lambda: settled(sender, i + 1), 30,
                 "repeat %d processed" % (i + 1))
    check(len(inbox(sender)) == 3, "each repeat with the same bad time "
          "stamp is logged (%d)" % len(inbox(sender)))
    check(len(replies(sender)) == 3, "and each gets its reply (%d)"
          % len(replies(sender)))


def test_listed_again_after_kill():
    sender = "+491705550003"
    SIM.check("clear")
    # the delete after the commit gets no answer: the daemon is killed
    # while it waits, so the message is still on the modem at restart
    SIM.fault("AT+CMGD", "silent", 1)
    SIM.inject_sms(encode(sender, ADMIN_PW + "#AT+VER",
                          "2026-03-01T11:00:00+01:00"))
    wait_for(lambda: inbox(sender) and any(c.startswith("AT+CMGD")
                                           for c in SIM.commands()),
             20, "message committed and its delete written")
    check(len(SIM.storage()) == 1, "the message is still on the modem")
    D.kill9()
    start_daemon()
    wait_for(lambda: SIM.storage() == [], 30, "listed again and deleted")
    wait_for(lambda: settled(sender, 1), 30, "processed")
    check(len(inbox(sender)) == 1, "the copy listed after the kill is "
          "recognised: logged once (%d)" % len(inbox(sender)))
    check(len(replies(sender)) == 1, "and run once: one reply (%d)"
          % len(replies(sender)))


def main():
    global D, SIM
    D = Daemon()
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    D.write_conf('modem = { device = "%s"; };\n' % SIM.link)
    start_daemon()
    D.ctl("passwd", "admin", input=ADMIN_PW + "\n")
    try:
        run_tests(test_same_second_twice, test_constant_bad_time_stamp,
                  test_listed_again_after_kill)
    finally:
        D.cleanup()
        SIM.stop()


if __name__ == "__main__":
    main()
