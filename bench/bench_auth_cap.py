#!/usr/bin/env python3
"""bench_auth_cap.py: how many password guesses an attacker gets through
the authorisation gate by SMS, with 1, 100 and 10,000 spoofed sender
numbers, and how long the owner waits meanwhile, with cellgated against
cellgate-modemsim and the default settings (lockout 5 wrong in 10 min,
auth.failure_cap 30 a minute, then 6 checks a minute).
Run from a build tree: python3 bench/bench_auth_cap.py [SECONDS [RATE]].

For each count of numbers a fresh daemon gets wrong guesses, RATE a second
(default 2, an SMS gateway's pace), each from the next number in turn, for
SECONDS (default 36).  Halfway through, the owner (a phonebook number)
sends a command with the right password.  Printed per run: the guesses
sent, those judged (hashed and found wrong), when the cap was reached,
the guesses judged before it and the judged rate after it (guesses a
minute), the lockouts, the guesses still waiting for a turn at the end,
and the owner's wait from the message's arrival to the reply handed to
the modem.  In a run this
short, 100 and 10,000 numbers give the same figures: no number reaches
its lockout, so the global ration is what bounds the guessing.
"""
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
os.environ.setdefault("CG_BUILDDIR", os.getcwd())
from cgtest import Daemon, SmsPeer, wait_for  # noqa: E402
from modemsim import Sim  # noqa: E402

PW = "bench-Pw1"
OWNER = "+491701000001"


def run(numbers, seconds, rate):
    d = Daemon(log_level="info")
    sim = Sim.start(os.environ["CG_BUILDDIR"], "generic", d.dir,
                    verbose=False)
    peer = SmsPeer(d, sim)
    try:
        d.write_conf('modem = { device = "%s"; };\n' % sim.link)
        d.start()
        wait_for(lambda: d.ctl_json("status")["modem"]["state"] == "ready",
                 30, "modem ready")
        d.ctl("passwd", "superadmin", input=PW + "\n")
        d.ctl("phonebook", "add", "1", OWNER, "role=admin")
        n = int(seconds * rate)
        guesses = [peer.encode_deliver("+4915%09d" % (i % numbers),
                                       "STATUS,PWD=guess%d#" % i)[0]
                   for i in range(n)]
        owner = peer.encode_deliver(OWNER, "%s#AT+VER" % PW)[0]
        sim.check("clear")
        t0 = time.monotonic()
        t_owner = t_reply = t_cap = None
        at_cap = 0
        judged_re = re.compile(r"auth: sms \+4915\d+: wrong password")
        for i, pdu in enumerate(guesses):
            due = t0 + i / rate
            while time.monotonic() < due:
                if t_owner is not None and t_reply is None and sim.sent():
                    t_reply = time.monotonic()
                time.sleep(0.005)
            sim.inject_sms(pdu)
            log = d.read_log()
            if t_cap is None and "password checks are rationed" in log:
                t_cap = time.monotonic()
                at_cap = len(judged_re.findall(log))
            if i == n // 2:
                sim.inject_sms(owner)
                t_owner = time.monotonic()
        end = time.monotonic()
        while t_reply is None and time.monotonic() - t_owner < 120:
            if sim.sent():
                t_reply = time.monotonic()
            time.sleep(0.005)
        log = d.read_log()
        judged = len(judged_re.findall(log))
        locked = log.count("; locked out for")
        waiting = sum(1 for m in d.ctl_json("sms", "list", "--limit",
                                            "10000")
                      if m["direction"] == "in" and m["status"] == "new")
        return {"sent": n, "judged": judged, "locked": locked,
                "waiting": waiting, "elapsed": end - t0,
                "cap_at": (t_cap - t0) if t_cap else None,
                "before": at_cap if t_cap else judged,
                "after_rate": (judged - at_cap) * 60 / (end - t_cap)
                if t_cap else None,
                "owner_wait": (t_reply - t_owner) if t_reply else None}
    finally:
        d.stop()
        sim.stop()
        d.cleanup()


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 36
    rate = float(sys.argv[2]) if len(sys.argv) > 2 else 2
    print("%d s of guesses at %.1f a second, by SMS, default settings"
          % (seconds, rate))
    print("%8s %5s %7s %8s %10s %9s %8s %11s" % (
        "numbers", "sent", "judged", "cap at", "before cap",
        "after/min", "lockouts", "owner wait"))
    for numbers in (1, 100, 10000):
        r = run(numbers, seconds, rate)
        print("%8d %5d %7d %8s %10d %9s %8d %11s" % (
            numbers, r["sent"], r["judged"],
            "%.1f s" % r["cap_at"] if r["cap_at"] is not None else "never",
            r["before"],
            "%.1f" % r["after_rate"] if r["after_rate"] is not None
            else "-", r["locked"],
            "%.1f s" % r["owner_wait"] if r["owner_wait"] is not None
            else "none"))
        print("%8s %d guesses still waiting for a turn at the end"
              % ("", r["waiting"]))
    print("past the cap: 6 checks a minute across all sources; each number "
          "is locked out for 1 h after 5 wrong guesses within 10 min")


if __name__ == "__main__":
    main()
