#!/usr/bin/env python3
"""Integration test of cellgate-modemsim alone.

Starts the simulator with several profiles in a temporary directory,
talks to its pty as a modem client (raw mode, select() with deadlines)
and to its control socket, and checks the AT dialect, SMS storage and
sending, URCs, calls, PIN, faults (fail, hang, delay), unplug/replug,
reboot, storage full and malformed control requests.

Exit status: 0 pass, 1 fail, 77 skip (automake convention).
Environment: CG_BUILDDIR (where cellgate-modemsim is), CG_SRCDIR.
"""

import errno
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from modemsim import Control, Sim, SimError  # noqa: E402

# SMS-DELIVER with SMSC (python-gsmmodem test_modem.py, captured PDU):
# from +0123456789, "Hello world!", TPDU length 29.
DELIVER = ("06917228195339040A9110325476980000313080512061800CC8329BFD06DDD"
           "F72363904")
DELIVER_LEN = 29
# SMS-SUBMIT without SMSC (00): to +46708251358, "hellohello", 23 octets.
SUBMIT = "0011000B916407281553F80000AA0AE8329BFD4697D9EC37"
SUBMIT_LEN = 23

failures = []


def check(cond, what):
    print(("ok - " if cond else "not ok - ") + what)
    sys.stdout.flush()
    if not cond:
        failures.append(what)
    return cond


def no_line(port, pattern, seconds=0.3):
    """True if no line matching pattern arrives within seconds."""
    data = port.read_for(seconds).decode("latin-1")
    return pattern not in data


def test_cli(binary, work):
    print("# command line")
    for argv, what in (
            (["--profile", "nosuch", "--link", "x", "--control", "y"],
             "unknown profile"),
            (["--profile", "generic", "--control", "y"], "missing --link"),
            (["--bogus"], "unknown option")):
        r = subprocess.run([binary] + argv, cwd=work, capture_output=True,
                           timeout=5)
        err = r.stderr.decode().strip()
        check(r.returncode == 2 and err.count("\n") == 0 and err,
              "%s: exit 2 with one-line error (%r)" % (what, err))
    r = subprocess.run([binary, "--version"], capture_output=True,
                       timeout=5)
    check(r.returncode == 0 and b"cellgate-modemsim" in r.stdout,
          "--version")


def test_generic(builddir, work):
    print("# generic profile")
    sim = Sim.start(builddir, "generic", work, name="generic")
    try:
        port = sim.open_port()

        # echo on by default, off after ATE0
        port.write("AT\r")
        data = port.read_until(b"OK\r\n")
        check(data == b"AT\r\r\nOK\r\n", "echo on by default: %r" % data)
        port.write("ATE0\r")
        port.read_until(b"OK\r\n")
        port.write("AT\r")
        data = port.read_until(b"OK\r\n")
        check(data == b"\r\nOK\r\n", "ATE0 turns echo off: %r" % data)
        check(not sim.state()["echo"], "state shows echo off")

        # identity
        for cmd, want in (("AT+CGMI", "Cellgate"),
                          ("AT+CGMM", "GSM-LTE-SIM"),
                          ("AT+CGMR", "CGSIM_1.0.0"),
                          ("AT+CGSN", "352099001761481"),
                          ("AT+CIMI", "001010123456789"),
                          ("AT+CCID", "+CCID: 89001010000123456782"),
                          ("AT+ICCID", "+ICCID: 89001010000123456782"),
                          ("AT+CNUM", '+CNUM: "","+15555550100",145'),
                          ("AT+COPS?", '+COPS: 0,0,"Test Network",7'),
                          ("AT+CSQ", "+CSQ: 20,0"),
                          ("AT+CPMS?", '+CPMS: "SM",0,30,"SM",0,30,'
                                       '"SM",0,30')):
            lines, final = port.command(cmd)
            check(lines == [want] and final == "OK",
                  "%s -> %r %s" % (cmd, lines, final))
        lines, final = port.command("AT+CMEE=1;+CFUN?")
        check(lines == ["+CFUN: 1"] and final == "OK",
              "chained AT+CMEE=1;+CFUN? -> %r" % lines)
        lines, final = port.command("AT+NOSUCH")
        check(final == "ERROR", "unknown command -> ERROR")
        lines, final = port.command("HELLO")
        check(final == "ERROR", "non-AT line -> ERROR")
        lines, final = port.command("AT" + "A" * 1100)
        check(final == "ERROR", "line over 1024 bytes -> ERROR")
        lines, final = port.command("AT")
        check(final == "OK", "AT after overlong line -> OK")
        lines, final = port.command("AT+CMGF=1")
        check(final == "ERROR", "generic: AT+CMGF=1 -> ERROR")

        # registration
        lines, final = port.command("AT+CEREG=2")
        lines, final = port.command("AT+CEREG?")
        check(lines == ['+CEREG: 2,1,"1A2B","01B2C3D4",7'],
              "AT+CEREG? in mode 2: %r" % lines)
        port.command("AT+CREG=1")
        sim.check("reg 5")
        urcs = [port.readline(1), port.readline(1)]
        check(urcs == ["+CREG: 5", '+CEREG: 5,"1A2B","01B2C3D4",7'],
              "reg 5 -> +CREG/+CEREG URCs %r" % urcs)
        sim.check("reg 1")
        port.expect(r"^\+CEREG: 1")

        # SMS indication only once CNMI asks for it
        idx = sim.inject_sms(DELIVER)
        check(idx == 1 and no_line(port, "+CMTI"),
              "no +CMTI before AT+CNMI (index %r)" % idx)
        port.command("AT+CNMI=2,1,0,0,0")
        idx = sim.inject_sms(DELIVER)
        line = port.readline(1)
        check(idx == 2 and line == '+CMTI: "SM",2',
              "+CMTI after AT+CNMI=2,1: %r" % line)
        lines, final = port.command("AT+CMGL=4")
        check(lines == ["+CMGL: 1,0,,%d" % DELIVER_LEN, DELIVER,
                        "+CMGL: 2,0,,%d" % DELIVER_LEN, DELIVER],
              "AT+CMGL=4 lists both: %r" % lines)
        lines, final = port.command("AT+CMGL=0")
        check(lines == [] and final == "OK", "listed messages are now read")
        lines, final = port.command("AT+CMGR=2")
        check(lines == ["+CMGR: 1,,%d" % DELIVER_LEN, DELIVER],
              "AT+CMGR=2: %r" % lines)
        lines, final = port.command("AT+CMGR=5")
        check(final == "+CMS ERROR: 321", "AT+CMGR of empty slot: " + final)
        lines, final = port.command("AT+CMGR=31")
        check(final == "+CMS ERROR: 321", "AT+CMGR out of range: " + final)
        port.command("AT+CMGD=1")
        check([s["index"] for s in sim.storage()] == [2],
              "AT+CMGD=1 deletes slot 1")
        sim.store_sms(DELIVER, 2)
        port.command("AT+CMGD=1,1")
        st = sim.storage()
        check([(s["index"], s["stat"]) for s in st] == [(1, 2)],
              "AT+CMGD=1,1 deletes read, keeps unsent: %r" % st)
        port.command("AT+CMGD=1,4")
        check(sim.storage() == [], "AT+CMGD=1,4 deletes all")

        # sending
        port.write("AT+CMGS=%d\r" % SUBMIT_LEN)
        port.read_until(b"> ")
        port.write(SUBMIT + "\x1a")
        line = port.expect(r"^\+CMGS:")
        final = port.readline(1)
        check(line == "+CMGS: 0" and final == "OK",
              "AT+CMGS: %s %s" % (line, final))
        sent = sim.sent()
        check(sent == [{"pdu": SUBMIT, "length": SUBMIT_LEN, "mr": 0}],
              "sent records the PDU: %r" % sent)
        port.write("AT+CMGS=%d\r" % (SUBMIT_LEN - 1))
        port.read_until(b"> ")
        port.write(SUBMIT + "\x1a")
        line = port.readline(1)
        check(line == "+CMS ERROR: 304", "wrong CMGS length -> %s" % line)
        port.write("AT+CMGS=%d\r" % SUBMIT_LEN)
        port.read_until(b"> ")
        port.write(SUBMIT[:10] + "\x1b")
        line = port.readline(1)
        check(line == "OK" and len(sim.sent()) == 1,
              "ESC cancels AT+CMGS: %s" % line)
        sim.check("fail AT+CMGS +CMS ERROR: 500")
        port.write("AT+CMGS=%d\r" % SUBMIT_LEN)
        port.read_until(b"> ")
        port.write(SUBMIT + "\x1a")
        line = port.readline(1)
        check(line == "+CMS ERROR: 500" and len(sim.sent()) == 1,
              "fail AT+CMGS -> %s, nothing sent" % line)
        port.write("AT+CMGS=%d\r" % SUBMIT_LEN)
        port.read_until(b"> ")
        port.write(SUBMIT + "\x1a")
        line = port.expect(r"^\+CMGS:")
        final = port.readline(1)
        check(line == "+CMGS: 1" and final == "OK",
              "fail rule used up; next send ok: " + line)
        sim.check("fail AT+CSQ ERROR 2")
        r = [port.command("AT+CSQ")[1] for _ in range(3)]
        check(r == ["ERROR", "ERROR", "OK"], "fail COUNT=2: %r" % r)

        # URCs, calls, USSD
        sim.urc("+QIND: \"custom\",1")
        line = port.readline(1)
        check(line == '+QIND: "custom",1', "urc injection: %r" % line)
        port.command("AT+CLIP=1")
        sim.ring("+391234567")
        got = [port.readline(1), port.readline(1)]
        check(got == ["RING", '+CLIP: "+391234567",145'],
              "ring -> RING +CLIP: %r" % got)
        lines, final = port.command("ATA")
        check(final == "OK" and sim.state()["call"] == "active",
              "ATA answers the call")
        port.command("ATH")
        check(sim.state()["call"] == "idle", "ATH ends the call")
        sim.ring("0612345678")
        got = [port.readline(1), port.readline(1)]
        check(got[1] == '+CLIP: "0612345678",129', "national number -> 129")
        sim.hangup()
        check(port.expect("NO CARRIER") == "NO CARRIER",
              "hangup -> NO CARRIER")
        sim.check("ussd Saldo 5,00 EUR")
        lines, final = port.command('AT+CUSD=1,"*100#",15')
        line = port.readline(1)
        check(final == "OK" and line == '+CUSD: 0,"Saldo 5,00 EUR",15',
              "USSD answer: %r" % line)

        # delay and hang
        sim.check("delay 300")
        t0 = time.monotonic()
        lines, final = port.command("AT")
        dt = time.monotonic() - t0
        check(final == "OK" and dt >= 0.25, "delay 300 -> %.2fs" % dt)
        sim.check("delay 0")
        sim.hang(True)
        port.write("AT+CSQ\r")
        check(no_line(port, "OK"), "hang on: no answer")
        check(sim.commands()[-1] == "AT+CSQ", "hang on: command recorded")
        sim.hang(False)
        lines, final = port.command("AT")
        check(final == "OK", "hang off: answers again")

        # PIN
        sim.check("pin 1234")
        lines, final = port.command("AT+CPIN?")
        check(lines == ["+CREG: 0", "+CEREG: 0", "+CPIN: SIM PIN"],
              "pin 1234 -> deregistered URCs, SIM PIN: %r" % lines)
        lines, final = port.command("AT+CIMI")
        check(final == "+CME ERROR: 11", "AT+CIMI locked -> " + final)
        lines, final = port.command("AT+CMGL=4")
        check(final == "+CMS ERROR: 311", "AT+CMGL locked -> " + final)
        lines, final = port.command('AT+CPIN="0000"')
        check(final == "+CME ERROR: 16" and
              sim.state()["pin_attempts"] == 2, "wrong PIN -> 16, 2 left")
        lines, final = port.command('AT+CPIN="1234"')
        check(final == "OK", "right PIN -> OK")
        lines, final = port.command("AT+CPIN?")
        check(lines == ["+CPIN: READY"], "SIM ready")
        port.expect(r"^\+CREG: 1")   # registered again
        sim.check("pin 4321")
        for _ in range(3):
            port.command('AT+CPIN="1111"')
        lines, final = port.command("AT+CPIN?")
        check(lines == ["+CPIN: SIM PUK"], "3 wrong PINs -> SIM PUK")
        lines, final = port.command('AT+CPIN="12345678","2222"')
        lines2, _ = port.command("AT+CPIN?")
        check(final == "OK" and lines2 == ["+CPIN: READY"],
              "PUK and new PIN -> READY")
        sim.check("pin none")
        sim.clear()
        check(sim.commands() == [] and sim.sent() == [],
              "clear forgets commands and sent")

        # storage full
        for i in range(30):
            sim.store_sms(DELIVER)
        r = sim.cmd("sms " + DELIVER)
        check(r["ok"] and r.get("held") and no_line(port, "+CMTI"),
              "storage full: held by the network, no +CMTI: %r" % r)
        port.command("AT+CMGD=1,4")
        port.expect(r"^\+CMTI: ")      # the network's retry
        port.command("AT+CMGD=1,4")

        # malformed control requests
        for req in ("bogus", "sms", "sms 0G", "sms 123", "sms " + "AB" * 177,
                    "sms 0F00", "reg 9", "delay -1", "fail", "fail X ERROR",
                    "hang maybe", "ring abc", "signal 40", "pin 12",
                    "hangup", "replug", "urc", "state extra"):
            r = sim.cmd(req)
            check(r.get("ok") is False and r.get("error"),
                  "bad request %r -> %r" % (req[:30], r.get("error")))
        check(sim.state()["delay"] == 0 and sim.storage() == [],
              "bad requests changed nothing")
        c2 = Control(sim.control)
        c2.send_raw(b"x" * 9000 + b"\n")
        r = c2.read_reply()
        closed = c2.read_reply() is None
        check(r and not r["ok"] and "too long" in r["error"] and closed,
              "overlong control line -> error and close")
        c2.close()
        c3 = Control(sim.control)
        c4 = Control(sim.control)
        check(c3.cmd("state")["ok"] and c4.cmd("state")["ok"] and
              sim.cmd("state")["ok"], "several control clients at once")
        c3.close()
        c4.close()

        # unplug / replug
        link_target = os.readlink(sim.link)
        sim.unplug()
        sim.wait_link(False, 2)
        check(not os.path.lexists(sim.link), "unplug removes the link")
        hup = False
        r, _, _ = select.select([port.fd], [], [], 2)
        if r:
            try:
                hup = os.read(port.fd, 100) == b""
            except OSError as e:
                hup = e.errno == errno.EIO
        check(hup, "client sees EIO/HUP after unplug")
        port.close()
        sim.replug()
        sim.wait_link(True, 2)
        port = sim.open_port()
        lines, final = port.command("AT")
        check(final == "OK", "reopen after replug -> OK (was %s, now %s)"
              % (link_target, os.readlink(sim.link)))
        port.close()
        port = sim.open_port()
        lines, final = port.command("AT")
        check(final == "OK", "close and reopen the port -> OK")
        port.close()
    finally:
        rc = sim.stop()
    check(rc == 0, "SIGTERM -> exit 0")
    check(not os.path.lexists(sim.link) and not os.path.exists(sim.control),
          "link and control socket removed on exit")


def test_calls(builddir, work):
    print("# outgoing calls: the record and injected outcomes")
    sim = Sim.start(builddir, "generic", work, name="calls")
    try:
        port = sim.open_port()
        port.command("ATE0")
        lines, final = port.command("ATD+491701000002;")
        check(final == "OK", "ATD -> OK (%s)" % final)
        check(sim.calls() == [{"number": "+491701000002", "end": ""}],
              "the call is recorded while it rings: %r" % sim.calls())
        port.command("ATH")
        check(sim.calls()[0]["end"] == "ATH", "ATH ends it: %r" % sim.calls())
        sim.dialmode("busy", 1)
        lines, final = port.command("ATD+491701000003;")
        check(final == "OK", "a busy callee: ATD -> OK first")
        port.expect("^BUSY$")
        check(sim.calls()[1] == {"number": "+491701000003", "end": "busy"},
              "then BUSY, recorded: %r" % sim.calls())
        port.command("ATD+491701000004;")
        port.command("AT+CHUP")
        check(sim.calls()[2]["end"] == "CHUP",
              "the count ran out: rings, AT+CHUP ends it: %r" % sim.calls())
        sim.dialmode("noanswer")
        port.command("ATD+491701000005;")
        port.expect("^NO ANSWER$")
        check(sim.calls()[3]["end"] == "noanswer", "NO ANSWER recorded")
        check(not sim.cmd("dialmode maybe").get("ok"), "bad dialmode refused")
        sim.check("clear")
        check(sim.calls() == [], "clear empties the record")
        port.close()
    finally:
        sim.stop()


def test_sim800(builddir, work):
    print("# sim800 profile")
    with Sim.start(builddir, "sim800", work, name="sim800") as sim:
        port = sim.open_port()
        for cmd, want, fin in (("AT+CGMI", ["SIMCOM_Ltd"], "OK"),
                               ("AT+CGMM", ["SIMCOM_SIM800"], "OK"),
                               ("AT+CCID", ["89390100001234567895"], "OK"),
                               ("AT+CEREG?", [], "ERROR"),
                               ("AT+QCCID", [], "ERROR"),
                               ("AT+CMGR=3", [], "OK")):
            lines, final = port.command(cmd)
            check(lines == want and final == fin,
                  "%s -> %r %s" % (cmd, lines, final))
        port.command("AT+CNMI=2,1,0,0,0")
        sim.reboot()
        got = [port.readline(1) for _ in range(5)]
        check(got == ["RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready",
                      "SMS Ready"], "reboot URCs: %r" % got)
        check(sim.state()["cnmi"] == [0, 0, 0, 0, 0] and
              sim.state()["echo"], "reboot resets CNMI and echo")
        port.close()
    rc = sim.proc.returncode
    check(rc == 0, "sim800: clean exit (%r)" % rc)


def test_ec25(builddir, work):
    print("# ec25 profile")
    with Sim.start(builddir, "ec25", work, name="ec25") as sim:
        port = sim.open_port()
        for cmd, want, fin in (("AT+CGMI", ["Quectel"], "OK"),
                               ("AT+CGMM", ["EC25"], "OK"),
                               ("AT+QCCID",
                                ["+QCCID: 89492260001234567895"], "OK"),
                               ("AT+CCID", [], "ERROR")):
            lines, final = port.command(cmd)
            check(lines == want and final == fin,
                  "%s -> %r %s" % (cmd, lines, final))
        port.command("AT+CNMI=2,1,0,0,0")
        idx = sim.inject_sms(DELIVER)
        line = port.readline(1)
        check(line == '+CMTI: "ME",%d' % idx, "ec25 +CMTI storage ME: %r"
              % line)
        port.close()
    rc = sim.proc.returncode
    check(rc == 0, "ec25: clean exit (%r)" % rc)


def test_e3372(builddir, work):
    print("# e3372 profile")
    with Sim.start(builddir, "e3372", work, name="e3372") as sim:
        port = sim.open_port()
        lines, final = port.command("AT^ICCID?")
        check(lines == ["^ICCID: 89331500009876543215"], "AT^ICCID?")
        sim.check("spray")
        line = port.expect(r"^\^(RSSI|HCSQ|MODE|BOOT)", 1)
        check(True, "spray on demand: %r" % line)
        line = port.expect(r"^\^(RSSI|HCSQ|MODE|BOOT)", 3)
        check(True, "periodic Huawei URC: %r" % line)
        port.command("AT^CURC=0")
        port.read_for(0.1)
        check(no_line(port, "^", 2.2), "AT^CURC=0 stops them")
        port.close()
    rc = sim.proc.returncode
    check(rc == 0, "e3372: clean exit (%r)" % rc)


def test_ublox(builddir, work):
    print("# ublox profile")
    with Sim.start(builddir, "ublox", work, name="ublox") as sim:
        port = sim.open_port()
        lines, final = port.command("AT+CCID")
        check(lines == ["+CCID: 89014103212345678900"], "AT+CCID %r" % lines)
        lines, final = port.command("AT+CGMM")
        check(lines == ["TOBY-L201"], "AT+CGMM %r" % lines)
        port.close()
    rc = sim.proc.returncode
    check(rc == 0, "ublox: clean exit (%r)" % rc)


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
    # A short base keeps socket paths under the 108-byte sun_path limit.
    work = tempfile.mkdtemp(prefix="cg-msim-")
    t0 = time.monotonic()
    try:
        test_cli(binary, work)
        for t in (test_generic, test_calls, test_sim800, test_ec25, test_e3372,
                  test_ublox):
            try:
                t(builddir, work)
            except (SimError, OSError, socket.error) as e:
                check(False, "%s raised %s" % (t.__name__, e))
                name = t.__name__[5:]
                log = os.path.join(work, name + ".log")
                if os.path.exists(log):
                    with open(log, "rb") as f:
                        sys.stdout.write(f.read()[-4000:].decode("latin-1"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("# %d failure(s) in %.1fs" % (len(failures), time.monotonic() - t0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
