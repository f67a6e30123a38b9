#!/usr/bin/env python3
"""test_bridge_sms.py: the bridge's SMS work mode end to end.

Serial data written to the data port (a pty) is framed by the idle gap and
sent as an SMS to DSTNUM through the simulated modem; an SMS from DSTNUM is
written to the data port; messages from other numbers and commands with a
password still go to the command engine.
"""
import datetime
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cgtest import BUILDDIR, CELLGATECTL, check, run_tests, wait_for  # noqa: E402
from bridge_util import Pty, set_, start_daemon  # noqa: E402
from modemsim import Sim  # noqa: E402

DST = "+391234567"
_stamp = [0]


def deliver(sender, text):
    _stamp[0] += 1
    t = datetime.datetime(2026, 2, 1) + datetime.timedelta(seconds=_stamp[0])
    p = subprocess.run([CELLGATECTL, "--json", "pdu", "encode", "--deliver",
                        "--time", t.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                        sender, text], capture_output=True, text=True,
                       check=True)
    return json.loads(p.stdout)["parts"][0]["pdu"]


def decode(pdu):
    p = subprocess.run([CELLGATECTL, "--json", "pdu", "decode", pdu],
                       capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def test_sms_mode():
    import tempfile
    tmp = tempfile.mkdtemp(prefix="cgtest-bsms-")
    sim = Sim.start(BUILDDIR, "generic", tmp)
    d = start_daemon('modem = { device = "%s"; };\n' % sim.link)
    try:
        wait_for(lambda: d.ctl_json("status")["modem"]["state"] == "ready",
                 30, "modem ready")
        p = Pty(os.path.join(d.dir, "data"))
        p.drain()
        set_(d, "DSTNUM", DST)
        set_(d, "bridge.sms_gap", "100")
        set_(d, "WKMOD", "SMS")
        p.write(b"hello sms")
        wait_for(lambda: sim.sent(), 15, "the SMS")
        m = decode(sim.sent()[0]["pdu"])
        check(m["number"] == DST and m["text"] == "hello sms",
              "serial data framed into one SMS to DSTNUM: %r" % m["text"])
        sim.inject_sms(deliver(DST, "to the serial port"))
        check(p.expect(b"to the serial port", 10),
              "an SMS from DSTNUM is written to the data port")
        sim.inject_sms(deliver("+491700000002", "not for the port"))
        wait_for(lambda: any(x["text"] == "not for the port" for x in
                             d.ctl_json("sms", "list")), 10, "logged")
        check(not p.expect(b"not for the port", 1),
              "an SMS from another number is not")
    finally:
        check(d.stop() == 0, "daemon exits cleanly (no sanitizer report)")
        d.cleanup()
        sim.stop()


if __name__ == "__main__":
    run_tests(test_sms_mode)
