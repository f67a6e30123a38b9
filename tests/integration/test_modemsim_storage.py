#!/usr/bin/env python3
"""Integration test of cellgate-modemsim's storage and fault features.

- SIM capacity (control "capacity"), a full SIM: new messages held by the
  network, the profile's overflow URC once, delivery in order with +CMTI
  once AT+CMGD frees space;
- send through storage: AT+CMGW stores an SMS-SUBMIT as STO UNSENT (2),
  AT+CMSS sends it and marks it STO SENT (3), both seen by AT+CMGL and
  AT+CMGR; the errors (full, empty slot, not a SUBMIT, no network);
- faults on any command: lost (runs, no answer), garbage, drop (the port
  goes, replug brings it back), silent, a result text;
- malformed requests change nothing.

Exit status: 0 pass, 1 fail, 77 skip.  Environment: CG_BUILDDIR.
"""

import os
import shutil
import socket
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from modemsim import Sim, SimError  # noqa: E402

DELIVER = ("06917228195339040A9110325476980000313080512061800CC8329BFD06DDD"
           "F72363904")
DELIVER_LEN = 29
# the same text from another sender, to tell held messages apart
DELIVER2 = DELIVER.replace("0A91103254769800", "0A91214365870900")
SUBMIT = "0011000B916407281553F80000AA0AE8329BFD4697D9EC37"
SUBMIT_LEN = 23

failures = []


def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
    sys.stdout.flush()
    if not cond:
        failures.append(what)
    return cond


def write_pdu(port, cmd, pdu):
    port.write(cmd + "\r")
    port.read_until(b"> ")
    port.write(pdu + "\x1a")
    lines = []
    while True:
        line = port.readline()
        if line is None:
            return lines, None
        if line in ("OK", "ERROR") or line.startswith("+CMS ERROR"):
            return lines, line
        if line != pdu and not line.startswith("AT"):
            lines.append(line)


def test_full(builddir, work):
    print("# full SIM: the network holds messages")
    sim = Sim.start(builddir, "generic", work, name="full")
    try:
        port = sim.open_port()
        port.command("ATE0")
        port.command("AT+CNMI=2,1,0,0,0")
        for bad in ("capacity", "capacity 0", "capacity 256", "capacity x",
                    "capacity 3 4"):
            r = sim.cmd(bad)
            check(not r["ok"] and r["error"], "%r refused: %s"
                  % (bad, r.get("error")))
        check(sim.state()["storage_total"] == 30, "bad requests changed "
              "nothing")
        r = sim.capacity(3)
        check(r["total"] == 3, "capacity 3")
        lines, _ = port.command("AT+CPMS?")
        check(lines == ['+CPMS: "SM",0,3,"SM",0,3,"SM",0,3'],
              "AT+CPMS? shows the capacity: %r" % lines)
        for i in range(3):
            check(sim.inject_sms(DELIVER) == i + 1, "message %d stored"
                  % (i + 1))
            port.expect(r'^\+CMTI: "SM",%d$' % (i + 1))
        r = sim.check("sms " + DELIVER2)
        check(r["index"] is None and r["held"], "4th message held: %r" % r)
        line = port.expect(r"^\+CIEV: ")
        check(line == '+CIEV: "smsfull",1', "overflow URC: %r" % line)
        r = sim.check("sms " + DELIVER)
        check(r["held"], "5th held too")
        data = port.read_for(0.3)
        check(b"CIEV" not in data and b"CMTI" not in data,
              "overflow URC only once, no +CMTI while full: %r" % data)
        st = sim.state()
        check(st["held"] == 2 and st["memfull"], "state: 2 held, memfull")
        check(not sim.cmd("capacity 2")["ok"],
              "capacity below a used slot refused")
        lines, final = write_pdu(port, "AT+CMGW=%d" % SUBMIT_LEN, SUBMIT)
        check(final == "+CMS ERROR: 322", "AT+CMGW on a full SIM: %r"
              % final)
        port.command("AT+CMGD=2")
        port.expect(r'^\+CMTI: "SM",2$', 3)
        lines, _ = port.command("AT+CMGR=2")
        check(lines[1:] == [DELIVER2], "the first held message arrives "
              "first, in the freed slot")
        check(sim.held() == 1, "one still held")
        port.command("AT+CMGD=1,4")
        port.expect(r'^\+CMTI: "SM",1$', 3)
        check(sim.held() == 0 and len(sim.storage()) == 1,
              "the network delivered all it held")
        check(not sim.state()["memfull"], "memfull cleared")
        port.command("AT+CMGD=1,4")
        sim.capacity(30)
        port.close()
    finally:
        sim.stop()


def test_profiles(builddir, work):
    print("# overflow URC per profile")
    for profile, urc in (("ec25", '+QIND: "smsfull","ME"'),
                         ("e3372", '^SMMEMFULL: "SM"'),
                         ("sim800", '+CIEV: "SMSFULL",1')):
        sim = Sim.start(builddir, profile, work, name=profile)
        try:
            port = sim.open_port()
            sim.capacity(1)
            sim.store_sms(DELIVER)
            check(sim.check("sms " + DELIVER)["held"], "%s: held" % profile)
            line = port.expect(r"SMSFULL|smsfull|MEMFULL")
            check(line == urc, "%s: %r" % (profile, line))
            port.close()
        finally:
            sim.stop()


def test_cmgw_cmss(builddir, work):
    print("# AT+CMGW / AT+CMSS")
    sim = Sim.start(builddir, "generic", work, name="cmgw")
    try:
        port = sim.open_port()
        port.command("ATE0")
        lines, final = write_pdu(port, "AT+CMGW=%d" % SUBMIT_LEN, SUBMIT)
        check(lines == ["+CMGW: 1"] and final == "OK",
              "AT+CMGW stores: %r %r" % (lines, final))
        lines, final = write_pdu(port, "AT+CMGW=%d,3" % SUBMIT_LEN, SUBMIT)
        check(lines == ["+CMGW: 2"], "AT+CMGW=len,3 stores as sent")
        lines, _ = port.command("AT+CMGL=2")
        check(lines == ["+CMGL: 1,2,,%d" % SUBMIT_LEN, SUBMIT],
              "AT+CMGL=2 lists STO UNSENT: %r" % lines)
        lines, _ = port.command("AT+CMGR=1")
        check(lines == ["+CMGR: 2,,%d" % SUBMIT_LEN, SUBMIT],
              "AT+CMGR shows stat 2: %r" % lines)
        check(sim.sent() == [], "storing sends nothing")
        lines, final = port.command("AT+CMSS=1")
        check(lines == ["+CMSS: 0"] and final == "OK",
              "AT+CMSS sends: %r %r" % (lines, final))
        check([s["pdu"] for s in sim.sent()] == [SUBMIT],
              "the network got the stored PDU")
        lines, _ = port.command("AT+CMGR=1")
        check(lines[0] == "+CMGR: 3,,%d" % SUBMIT_LEN,
              "now STO SENT: %r" % lines)
        lines, _ = port.command("AT+CMGL=3")
        check(lines == ["+CMGL: 1,3,,%d" % SUBMIT_LEN, SUBMIT,
                        "+CMGL: 2,3,,%d" % SUBMIT_LEN, SUBMIT],
              "AT+CMGL=3 lists both sent: %r" % lines)
        lines, final = port.command("AT+CMSS=1")
        check(lines == ["+CMSS: 1"], "a sent one can be sent again")

        # errors
        sim.store_sms(DELIVER, 1)
        for cmd, want in (("AT+CMSS=3", "+CMS ERROR: 302"),
                          ("AT+CMSS=9", "+CMS ERROR: 321"),
                          ("AT+CMSS=31", "+CMS ERROR: 321"),
                          ("AT+CMSS=1,\"+4912345\"", "+CMS ERROR: 303"),
                          ("AT+CMGW=%d,1" % SUBMIT_LEN, "+CMS ERROR: 304"),
                          ("AT+CMGW=0", "+CMS ERROR: 304")):
            lines, final = port.command(cmd)
            check(final == want, "%s -> %s" % (cmd, final))
        lines, final = write_pdu(port, "AT+CMGW=%d" % DELIVER_LEN, DELIVER)
        check(final == "+CMS ERROR: 304", "AT+CMGW of a DELIVER refused")
        sim.reg(0)
        lines, final = port.command("AT+CMSS=1")
        check(final == "+CMS ERROR: 331", "AT+CMSS without network")
        sim.reg(1)
        lines, _ = port.command("AT+CMGR=1")
        check(len(sim.sent()) == 2 and lines[0].startswith("+CMGR: 3,"),
              "failed sends changed nothing")

        # a lost answer: sent and marked, no answer
        lines, _ = write_pdu(port, "AT+CMGW=%d" % SUBMIT_LEN, SUBMIT)
        idx = int(lines[0].split()[1])
        sim.fault("AT+CMSS", "lost")
        port.write("AT+CMSS=%d\r" % idx)
        check(port.readline(0.5) is None, "AT+CMSS lost: no answer")
        lines, _ = port.command("AT+CMGR=%d" % idx)
        check(lines[0].startswith("+CMGR: 3,") and len(sim.sent()) == 3,
              "...but it was sent and marked STO SENT")
        sim.fault("AT+CMGW", "lost")
        port.write("AT+CMGW=%d\r" % SUBMIT_LEN)
        port.read_until(b"> ")
        port.write(SUBMIT + "\x1a")
        check(port.readline(0.5) is None, "AT+CMGW lost: no answer")
        check(len(sim.storage()) == 5, "...but it was stored")
        port.close()
    finally:
        sim.stop()


def test_faults(builddir, work):
    print("# faults on any command")
    sim = Sim.start(builddir, "generic", work, name="faults")
    try:
        port = sim.open_port()
        port.command("ATE0")
        r = sim.fault("AT", "garbage")
        check(r["fault"] == "garbage", "fail AT garbage: %r" % r)
        port.write("AT+CSQ\r")
        data = port.read_for(0.3)
        check(b"\xff" in data and b"\x00" in data and b"OK\r\n" not in data,
              "garbage instead of the answer: %r" % data)
        lines, final = port.command("AT+CSQ")
        check(final == "OK", "next command answers again")

        sim.store_sms(DELIVER)
        sim.fault("AT+CMGD", "lost")
        port.write("AT+CMGD=1\r")
        check(port.readline(0.5) is None, "lost: no answer")
        check(sim.storage() == [], "lost: but the delete ran")

        sim.fault("AT+COPS", "silent", 2)
        port.write("AT+COPS?\r")
        check(port.readline(0.4) is None, "silent: no answer")
        port.write("AT+COPS?\r")
        check(port.readline(0.4) is None, "silent twice (count 2)")
        lines, final = port.command("AT+COPS?")
        check(final == "OK", "then answers")

        sim.fail("AT+CGMI", "+CME ERROR: 13")
        lines, final = port.command("AT+CGMI")
        check(final == "+CME ERROR: 13", "a result text: %r" % final)

        for bad in ("fail AT+X", "fail X drop", "fail AT drop 0",
                    "fail AT drop x", "fail AT drop 1 2"):
            r = sim.cmd(bad)
            check(not r["ok"], "%r refused" % bad)
        check(sim.state()["fail_rules"] == 0, "no rule added by bad requests")
        sim.fault("AT+CGMI", "drop", 5)
        r = sim.check("nofail")
        lines, final = port.command("AT+CGMI")
        check(r["removed"] == 1 and final == "OK" and
              sim.state()["fail_rules"] == 0, "nofail removes the rules")

        sim.fault("AT+CPIN", "drop")
        port.write("AT+CPIN?\r")
        sim.wait_link(False)
        check(not sim.state()["plugged"], "drop: the port is gone")
        try:
            port.read_for(0.2)
            gone = False
        except SimError:
            gone = True
        check(gone, "the client sees the port end")
        port.close()
        r = sim.replug()
        sim.wait_link(True)
        port = sim.open_port()
        port.read_for(0.2)
        lines, final = port.command("AT")
        check(final == "OK" and sim.state()["plugged"], "replug: back")
        port.close()
    finally:
        sim.stop()


def main():
    builddir = os.environ.get("CG_BUILDDIR", os.getcwd())
    binary = os.environ.get("CG_MODEMSIM") or \
        os.path.join(builddir, "cellgate-modemsim")
    if not os.access(binary, os.X_OK):
        print("SKIP: %s not built" % binary)
        return 77
    if not os.path.exists("/dev/ptmx"):
        print("SKIP: no /dev/ptmx")
        return 77
    work = tempfile.mkdtemp(prefix="cg-msto-")
    try:
        for t in (test_full, test_profiles, test_cmgw_cmss, test_faults):
            try:
                t(builddir, work)
            except (SimError, OSError, socket.error, KeyError,
                    IndexError, ValueError) as e:
                check(False, "%s raised %s: %s" % (t.__name__,
                                                   type(e).__name__, e))
                for f in sorted(os.listdir(work)):
                    if f.endswith(".log"):
                        with open(os.path.join(work, f), "rb") as fh:
                            sys.stdout.write("## %s\n%s\n" % (
                                f, fh.read()[-3000:].decode("latin-1")))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("# %d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
