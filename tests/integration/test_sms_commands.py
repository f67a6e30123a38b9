"""test_sms_commands.py: the SMS command language end to end.

SMS are injected into cellgate-modemsim and the replies read back from what
the daemon sent with AT+CMGS.  Covers the three forms with the seeds'
examples, silence for unknown numbers and wrong passwords, the lockout
(which survives a restart and refuses even the right password), a spoofed
listed number that cannot change passwords, the phonebook or security
settings, control characters and shell metacharacters that never reach the
modem's command stream, settings changed by SMS persisting across a restart,
RISP, and an incoming call from a listed number hung up and answered with
the status SMS.
"""
import datetime
import json
import os
import subprocess

from cgtest import (BUILDDIR, CELLGATECTL, Daemon, SmsPeer, check,
                    run_tests, wait_for)
from modemsim import Sim

D = None
SIM = None
SUPER = "Sup3r-pw"
ADMIN = "12345"
OWNER = "+491701000001"      # listed, no password needed, admin role
STRANGER = "+491709000009"


PEER = None


def encode_deliver(sender, text):
    return PEER.encode_deliver(sender, text)


def decode(pdu):
    return SmsPeer.decode(pdu)


def messages():
    return PEER.messages()


def sms(sender, text):
    return PEER.sms(sender, text)


def decode_sent():
    return PEER.sent()


def ready():
    return D.ctl_json("status")["modem"]["state"] == "ready"


def test_forms_and_silence():
    check(sms(STRANGER, "STATUS#") is None, "unknown number: no reply")
    check(sms(STRANGER, "STATUS,PWD=wrong#") is None, "wrong password: no reply")
    r = sms(STRANGER, "CONNECT,PWD=%s#" % SUPER)
    check(r == "ERROR: CONNECT: cloud.server is not set",
          "CONNECT,PWD=...# (cloud-connect seed) without a broker: %r" % r)
    r = sms(STRANGER, "%s#AT+SOCKA=\"TCP\",\"test.usr.cn\",10000" % ADMIN)
    check(r == "OK", "USR AT form with the admin password: %r" % r)
    r = sms(STRANGER, "%s#AT+SOCKA?" % ADMIN)
    check(r == "+SOCKA:TCP,test.usr.cn,10000\nOK", "AT form query: %r" % r)
    r = sms(OWNER, "STATUS#")
    check(r is not None and r.startswith("Modem: ready"), "listed number: STATUS# %r" % r)
    r = sms(OWNER, "NUM?;%s" % ADMIN)
    check(r is not None and "+NUM:1,%s,admin" % OWNER in r, "NUM?;pwd lists: %r" % r)
    r = sms(STRANGER, "NUM3+391234567;%s,NUM?;%s" % (ADMIN, ADMIN))
    check(r is not None and r.startswith("OK\n") and "+NUM:3,+391234567" in r,
          "two short commands, one reply: %r" % r)
    r = sms(STRANGER, "NUM3;%s,RISP" % ADMIN)
    check(r is None and not any(e["pos"] == 3 for e in D.ctl_json("phonebook", "list")),
          "RISP: the command runs, no reply")
    r = sms(OWNER, "FROB")
    check(r == "ERROR: unknown command FROB", "unknown command named: %r" % r)


def test_spoofed_listed_number():
    for text in ("PWD99999", "NUM5+4915100000009", "AT+CLEAR",
                 "AT+auth.remote_lock=15", "AT+CMDPW=99999"):
        r = sms(OWNER, text)
        check(r is not None and "needs a password" in r,
              "spoofed listed number cannot run %s: %r" % (text, r))
    check(not any(e["pos"] == 5 for e in D.ctl_json("phonebook", "list")),
          "phonebook unchanged")
    check(D.ctl_json("settings", "get", "auth.remote_lock")["value"] == "0",
          "security setting unchanged")
    r = sms(STRANGER, "99999#AT+VER")
    check(r is None, "the spoofed password change did not happen")


def test_no_injection():
    SIM.check("clear")
    for text in ("%s#AT+STMSG=x\r\nAT+CFUN=0" % ADMIN,
                 "%s#AT+STMSG=a\x1aAT+CFUN=0" % ADMIN,
                 "%s#AT+STMSG=a\x1b" % ADMIN,
                 "%s#AT+STMSG=$(reboot);`id`|rm -rf /" % ADMIN):
        sms(STRANGER, text)
    cmds = SIM.commands()
    bad = [c for c in cmds if "CFUN=0" in c or "\x1a" in c or "\x1b" in c
           or "reboot" in c or "rm -rf" in c]
    check(bad == [], "nothing from an SMS reached the modem's command stream")
    w = D.ctl_json("settings", "get", "STMSG")["value"]
    check(w == "$(reboot);`id`|rm -rf /",
          "shell metacharacters are plain text: %r" % w)


def test_persist_across_restart():
    r = sms(STRANGER, "%s#AT+WKMOD=HTTPD" % ADMIN)
    check(r == "OK", "WKMOD set by SMS")
    check(D.stop() == 0, "clean stop")
    D.start()
    wait_for(ready, 30, "modem ready")
    check(D.ctl_json("settings", "get", "WKMOD")["value"] == "HTTPD",
          "setting changed by SMS persists across a restart")
    sms(STRANGER, "%s#AT+WKMOD=NET" % ADMIN)


def test_lockout():
    D.ctl("settings", "set", "auth.lockout_failures", "3")
    n = "+491709000077"
    for i in range(3):
        sms(n, "STATUS,PWD=bad%d#" % i)
    check(sms(n, "STATUS,PWD=%s#" % SUPER) is None,
          "locked out: even the right password gets no reply")
    check(D.stop() == 0, "clean stop")
    D.start()
    wait_for(ready, 30, "modem ready")
    check(sms(n, "STATUS,PWD=%s#" % SUPER) is None, "lockout survives a restart")
    check(sms("+491709000078", "STATUS,PWD=%s#" % SUPER) is not None,
          "other numbers are not locked out")


def test_incoming_call():
    SIM.check("clear")
    SIM.ring(OWNER)

    def hung_up_and_replied():
        cmds = SIM.commands()
        return any(c in ("ATH", "AT+CHUP") for c in cmds) and SIM.sent()
    wait_for(hung_up_and_replied, 20, "hang-up and status SMS")
    r = decode_sent()
    check(r and r[0][0] == OWNER and r[0][1].startswith("Modem: ready"),
          "a listed caller is hung up and gets the status SMS: %r" % r)
    # a caller id can be spoofed: one reply per number per
    # calls.reply_interval (600 s)
    SIM.check("clear")
    SIM.ring(OWNER)
    wait_for(lambda: "calls: no reply to %s" % OWNER in D.read_log(), 20,
             "the second call within the interval")
    wait_for(lambda: any(c in ("ATH", "AT+CHUP") for c in SIM.commands()),
             20, "the second call hung up")
    check(SIM.sent() == [], "a second call within 10 minutes: hung up, "
          "no second SMS")
    SIM.check("clear")
    D.ctl("settings", "set", "CALEN", "off")
    D.ctl("phonebook", "set", "1", "call=ignore")
    SIM.ring(OWNER)
    wait_for(lambda: any(c in ("ATH", "AT+CHUP") for c in SIM.commands()),
             20, "hang-up with CALEN off")
    check(SIM.sent() == [], "CALEN off: hung up, no SMS")
    D.ctl("settings", "reset", "CALEN")
    SIM.cmd("hangup")


def test_reboot_reply_then_restart():
    before = D.ctl_json("status")["daemon"]
    pid = before["pid"]
    SIM.check("clear")
    SIM.inject_sms(encode_deliver(STRANGER, "REBOOT,PWD=%s#" % SUPER)[0])
    wait_for(lambda: SIM.sent(), 20, "the reply to REBOOT#")
    check(decode_sent() == [(STRANGER, "OK")],
          "REBOOT#: the reply goes out before the restart: %r" % decode_sent())

    def back():
        rc, out, err = D.ctl("status", json_out=True)
        if rc != 0:
            return False
        st = json.loads(out)
        return (st["daemon"]["started"] != before["started"]
                and st["modem"]["state"] == "ready" and st)
    st = wait_for(back, 40, "daemon and modem back after REBOOT#")
    check(st["daemon"]["pid"] == pid, "restarted in place, modem session re-initialised")


def test_no_password_at_rest():
    r = sms(STRANGER, "%s#AT+CMDPW=N3w-admin" % SUPER)
    check(r == "OK", "admin password changed by SMS")
    sms(STRANGER, "%s#AT+SOCKA=\"TCP" % SUPER)     # does not parse
    sms(STRANGER, "PWD77777;N3w-admin")
    texts = [m["text"] or "" for m in messages()]
    check(all(p not in t for t in texts for p in (SUPER, "N3w-admin", "77777")),
          "no password in the message log")
    check(any(t == "***#AT+CMDPW=***" for t in texts)
          and any(t == "PWD=***;***" for t in texts)
          and any(t == "***#AT+SOCKA=\"TCP" for t in texts),
          "passwords shown as ***, also new ones and in messages that do not parse")
    D.ctl("settings", "get", "E")     # let the WAL settle into the file
    data = b""
    for f in (D.db, D.db + "-wal"):
        if os.path.exists(f):
            with open(f, "rb") as fh:
                data += fh.read()
    leaked = [p for p in (SUPER, "N3w-admin", "77777") if p.encode() in data]
    check(leaked == [], "no password in the database files: %s" % leaked)
    D.ctl("passwd", "admin", input=ADMIN + "\n")


def test_system_reboot_command():
    marker = D.dir + "/rebooted"
    r = sms(STRANGER, "%s#AT+system.reboot_command=/bin/touch %s" % (SUPER, marker))
    check(r is not None and "only be changed with cellgatectl" in r,
          "a program to run cannot be set by SMS: %r" % r)
    rc, out, err = D.ctl("settings", "set", "system.reboot_command", "touch x")
    check(rc != 0 and "absolute path" in err, "relative program refused")
    rc, out, err = D.ctl("settings", "set", "system.reboot_command",
                         "/bin/touch " + marker)
    check(rc == 0, "set locally with cellgatectl")
    pid = D.ctl_json("status")["daemon"]["pid"]
    r = sms(STRANGER, "REBOOT,PWD=%s#" % SUPER)
    check(r == "OK", "REBOOT# answers OK")
    wait_for(lambda: os.path.exists(marker), 20, "the reboot command to run")
    check(D.ctl_json("status")["daemon"]["pid"] == pid,
          "REBOOT# ran system.reboot_command (no shell) after the reply")
    D.ctl("settings", "reset", "system.reboot_command")


def main():
    global D, SIM, PEER
    D = Daemon()
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    PEER = SmsPeer(D, SIM)
    D.write_conf('modem = { device = "%s"; };\n' % SIM.link)
    D.start()
    wait_for(ready, 30, "modem ready")
    D.ctl("passwd", "superadmin", input=SUPER + "\n")
    D.ctl("passwd", "admin", input=ADMIN + "\n")
    D.ctl("phonebook", "add", "1", OWNER, "role=admin", "password=not-required",
          "call=hangup-reply")
    try:
        run_tests(test_forms_and_silence, test_spoofed_listed_number,
                  test_no_injection, test_persist_across_restart,
                  test_lockout, test_incoming_call,
                  test_reboot_reply_then_restart, test_no_password_at_rest,
                  test_system_reboot_command)
    finally:
        D.cleanup()
        SIM.stop()


if __name__ == "__main__":
    main()
