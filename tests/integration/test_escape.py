"""test_escape.py: text that others wrote never reaches a terminal or a log
as control characters.

A stranger's UCS-2 message carrying terminal escapes (ESC, BEL, C1 CSI, a
bidi override) and a forged line is shown safely by `cellgatectl sms list`
and `sms show` (the JSON stays exact); an alphanumeric sender and a USSD
answer with line breaks cannot forge a log line, neither in the log nor in
the event stream (`cellgatectl events`, as `monitor`); `cellgatectl pdu decode` shows the same text
safely.
"""
import json
import subprocess

from cgtest import (BUILDDIR, CELLGATECTL, Daemon, check, run_tests,
                    wait_for)
from modemsim import Sim

D = None
SIM = None
EVIL = "hi\x1b]2Xowned\x07\x1b[2J\u009b31m\u202eevil\nStatus: forged"
BAD = ("\x1b", "\x07", "\u009b", "\u202e")


def encode_deliver(sender, text, ucs2=True):
    args = [CELLGATECTL, "--json", "pdu", "encode", "--deliver"]
    if ucs2:
        args.append("--ucs2")
    p = subprocess.run(args + [sender, text], capture_output=True, text=True,
                       check=True)
    return [part["pdu"] for part in json.loads(p.stdout)["parts"]]


def inbox():
    return [m for m in D.ctl_json("sms", "list") if m["direction"] == "in"]


def clean(out):
    return not any(b in out for b in BAD)


def test_sms_list_and_show():
    SIM.inject_sms(encode_deliver("+491701234567", EVIL)[0])
    m = wait_for(lambda: [m for m in inbox()
                          if m["number"] == "+491701234567"], 15,
                 "message logged")[-1]
    check(m["text"] == EVIL, "JSON keeps the exact text")
    rc, out, err = D.ctl("sms", "list")
    check(rc == 0 and clean(out) and "owned" in out,
          "sms list shows the text without control characters")
    check(all(not l.startswith("Status: forged") for l in out.splitlines()),
          "sms list: no forged line")
    rc, out, err = D.ctl("sms", "show", str(m["id"]))
    check(rc == 0 and clean(out) and "\\x1b" in out,
          "sms show escapes ESC as \\x1b")
    check(all(not l.startswith("Status: forged") for l in out.splitlines()),
          "sms show: no forged line")


def test_pdu_decode():
    pdu = encode_deliver("+491701234567", EVIL)[0]
    p = subprocess.run([CELLGATECTL, "pdu", "decode", pdu],
                       capture_output=True, text=True)
    check(p.returncode == 0 and clean(p.stdout) and
          all(not l.startswith("Status: forged")
              for l in p.stdout.splitlines()),
          "pdu decode shows the text safely")
    p = subprocess.run([CELLGATECTL, "--json", "pdu", "decode", pdu],
                       capture_output=True, text=True)
    check(json.loads(p.stdout)["text"] == EVIL, "pdu decode --json is exact")


def log_lines():
    return D.read_log().splitlines()


def test_alpha_sender_in_log():
    # an alphanumeric sender is GSM 7-bit: its LF (0x0a) is a line feed
    SIM.inject_sms(encode_deliver("Ev\nforged1", "hello", ucs2=False)[0])
    wait_for(lambda: any(m["number"].startswith("alpha:") and
                         "forged1" in m["number"] for m in inbox()), 15,
             "message from the alphanumeric sender")
    check(all(not l.startswith("forged1") for l in log_lines()),
          "the sender's line break forged no log line")


def test_ussd_answer_in_log_and_events():
    # "Hi\nforged2 \x1b[2J" in UCS-2 hex, dcs 72
    text = "Hi\nforged2 \x1b[2J"
    hexs = "".join("%04X" % ord(c) for c in text)
    SIM.urc('+CUSD: 0,"%s",72' % hexs)
    wait_for(lambda: "ussd: answer" in D.read_log(), 10, "answer logged")
    check(all(not l.startswith("forged2") for l in log_lines()),
          "the USSD line break forged no log line")
    check(clean(D.read_log()) and "\x1b" not in D.read_log(),
          "no control character in the log")
    rc, out, err = D.ctl("events")
    check(rc == 0 and "forged2" in out and clean(out) and
          all(not l.startswith("forged2") for l in out.splitlines()),
          "the event stream's text view shows the answer safely")


def main():
    global D, SIM
    D = Daemon()
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    D.write_conf('modem = { device = "%s"; };\n' % SIM.link)
    D.start()
    wait_for(lambda: D.ctl_json("status")["modem"]["state"] == "ready", 20,
             "modem ready")
    try:
        run_tests(test_sms_list_and_show, test_pdu_decode,
                  test_alpha_sender_in_log,
                  test_ussd_answer_in_log_and_events)
    finally:
        D.cleanup()
        SIM.stop()


if __name__ == "__main__":
    main()
