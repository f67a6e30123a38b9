#!/usr/bin/env python3
"""bench_sms.py: time from an SMS's arrival (+CMTI) to the message being
committed, and to the reply's AT+CMGS, with cellgated against
cellgate-modemsim.  Run from a build tree: python3 bench/bench_sms.py [N].

The simulator is polled every millisecond over its control socket, so the
figures include up to ~1 ms of polling slack.  For scale (from the issue):
smstools3 with default settings takes about 13 s and gammu-smsd about 21 s
from arrival to reply, because they poll the modem.
"""
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
os.environ.setdefault("CG_BUILDDIR", os.getcwd())
from cgtest import CELLGATECTL, Daemon, wait_for  # noqa: E402
from modemsim import Sim  # noqa: E402

PW = "bench-pw"


def deliver(sender, text, n):
    t = datetime.datetime(2026, 3, 1) + datetime.timedelta(seconds=n)
    p = subprocess.run([CELLGATECTL, "--json", "pdu", "encode", "--deliver",
                        "--time", t.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                        sender, text], capture_output=True, text=True,
                       check=True)
    return json.loads(p.stdout)["parts"][0]["pdu"]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    d = Daemon(log_level="info")
    sim = Sim.start(os.environ["CG_BUILDDIR"], "generic", d.dir,
                    verbose=False)
    d.write_conf('modem = { device = "%s"; };\n' % sim.link)
    d.start()
    wait_for(lambda: d.ctl_json("status")["modem"]["state"] == "ready", 30,
             "modem ready")
    d.ctl("passwd", "superadmin", input=PW + "\n")
    commit, reply = [], []
    for i in range(n):
        pdu = deliver("+4917000%05d" % i, "STATUS,PWD=%s#" % PW, i)
        sim.check("clear")
        t0 = time.monotonic()
        sim.inject_sms(pdu)
        t_commit = None
        while True:
            if t_commit is None and any("CMGD" in c for c in sim.commands()):
                # AT+CMGD is sent right after the commit
                t_commit = time.monotonic()
            if sim.sent():
                t_reply = time.monotonic()
                break
            if time.monotonic() - t0 > 30:
                raise SystemExit("no reply within 30 s")
            time.sleep(0.001)
        commit.append(((t_commit or t_reply) - t0) * 1000)
        reply.append((t_reply - t0) * 1000)
    d.stop()
    sim.stop()
    d.cleanup()
    for name, v in (("arrival -> committed (AT+CMGD)", commit),
                    ("arrival -> reply AT+CMGS", reply)):
        v.sort()
        print("%-32s median %7.1f ms  p90 %7.1f ms  max %7.1f ms  (n=%d)"
              % (name, statistics.median(v), v[int(len(v) * 0.9) - 1],
                 v[-1], len(v)))
    print("for scale: smstools3 ~13000 ms, gammu-smsd ~21000 ms "
          "(arrival to reply, from the issue)")


if __name__ == "__main__":
    main()
