"""test_security.py: the authorisation rules a hostile sender probes, on
the real daemon against the simulated modem, a data port pty and a TCP
server on the bridge.

Bulk changes (RELD, CLEAR) leave what their caller may not change; the
remote lock is changed only locally, also with the µPanel spellings on the
data port; the USSD code needs a password; one gate locks out a network
socket that guesses (and not the data port); strangers without a
password never reach the global failure cap, and past it checks are
rationed, so the right password still runs in its turn; `modem at` judges each
command of a chained line by name (prompts refused, PINs never logged).
"""
import os
import re
import socket
import time

from cgtest import BUILDDIR, Daemon, SmsPeer, check, run_tests, wait_for
from bridge_util import Pty, TcpServer
from modemsim import Sim
import test_sms_commands as T

D = None
P = None
SUPER, ADMIN, OWNER, STRANGER = T.SUPER, T.ADMIN, T.OWNER, T.STRANGER


def get(name):
    return D.ctl_json("settings", "get", name)["value"]


def set_(name, value):
    rc, out, err = D.ctl("settings", "set", name, value)
    if rc != 0:
        raise RuntimeError("settings set %s: %s" % (name, err))


def command_mode():
    P.drain()           # the welcome message, earlier replies
    time.sleep(0.3)     # the seed's guard time before +++ (T1 > 200 ms)
    P.write(b"+++")
    P.expect(b"a", 3)
    P.write(b"a")
    return P.expect(b"+ok", 3)


def test_bulk_changes_keep_protected_settings():
    D.ctl("at", "AT+CFGTF")             # user defaults: the defaults
    set_("system.reboot_command", "/bin/true")
    set_("sms.daily_limit", "7")
    set_("auth.remote_lock", "4")
    set_("WKMOD", "CMD")
    r = T.sms(STRANGER, "%s#AT+RELD" % ADMIN)
    check(r == "OK", "admin's RELD by SMS answers OK: %r" % r)
    check(get("WKMOD") == "NET", "RELD restored what admin may change")
    check(get("sms.daily_limit") == "7", "superadmin-only daily cap kept")
    check(get("auth.remote_lock") == "4", "the remote lock kept")
    check(get("system.reboot_command") == "/bin/true",
          "the local-only reboot command kept")
    r = T.sms(STRANGER, "%s#AT+CLEAR" % SUPER)
    check(r == "OK", "superadmin's CLEAR by SMS: %r" % r)
    check(get("sms.daily_limit") == "100", "CLEAR reset the daily cap")
    check(get("auth.remote_lock") == "4" and
          get("system.reboot_command") == "/bin/true",
          "CLEAR by SMS kept the local-only settings")
    # the data port's command mode is not a place to set programs either
    check(command_mode(), "data port in command mode")
    P.write(b"AT+CLEAR\r")
    P.expect(b"OK\r\n", 5)
    check(get("system.reboot_command") == "/bin/true",
          "CLEAR on the data port kept the reboot command")
    P.write(b"AT+ENTM\r")
    P.expect(b"OK\r\n", 5)
    set_("auth.remote_lock", "0")
    set_("system.reboot_command", "")


def test_remote_lock_only_locally():
    r = T.sms(STRANGER, "%s#AT+AUTH.REMOTE_LOCK=15" % SUPER)
    check(r is not None and "only be changed locally" in r,
          "superadmin cannot change the lock by SMS: %r" % r)
    check(get("auth.remote_lock") == "0", "lock unchanged")
    check(command_mode(), "data port in command mode")
    P.write(b"$AP-CLIMSET:9 |\r")
    check(P.expect(b"$AP-CLIMSET:9\r\n", 5), "$AP-CLIMSET:9 answered")
    check(get("auth.remote_lock") == "9", "lock set from the data port")
    P.write(b"$AP-CLIMSET\r")
    check(P.expect(b"$AP-CLIMSET:9\r\n", 5), "$AP-CLIMSET query")
    P.write(b"$AP-CLIMSET:16\r")
    check(P.expect(b"\r\nERROR\r\n", 5), "out of range: ERROR")
    check(get("auth.remote_lock") == "9", "... and nothing changed")
    P.write(b"$APP-CLIM\r")
    check(P.expect(b"$OK-APPLIM\r\n", 5) and get("auth.remote_lock") == "1",
          "$APP-CLIM locks group 1")
    P.write(b"$APP-CFULL\r")
    check(P.expect(b"$OK-APPFULL\r\n", 5) and get("auth.remote_lock") == "0",
          "$APP-CFULL unlocks")
    P.write(b"AT+ENTM\r")
    P.expect(b"OK\r\n", 5)


def test_ussd_code_needs_password():
    before = get("ussd.balance")
    r = T.sms(OWNER, "AT+USSD.BALANCE=*141*1#")
    check(r is not None and "needs a password" in r,
          "a listed number without password cannot change the USSD code: "
          "%r" % r)
    check(get("ussd.balance") == before, "USSD code unchanged")
    r = T.sms(STRANGER, "%s#AT+USSD.BALANCE=*101#" % ADMIN)
    check(r == "OK" and get("ussd.balance") == "*101#",
          "with the password it changes")


def commands_on_socket_a():
    """A server on socket A, with NATEN and UATEN on, once connected."""
    srv = TcpServer()
    set_("bridge.reconnect_min", "200")
    set_("SOCKA", "TCP,127.0.0.1,%d" % srv.port)
    set_("SOCKAEN", "on")
    set_("NATEN", "on")
    set_("UATEN", "on")
    wait_for(lambda: D.ctl_json("status")["bridge"]["socket_a"]["state"]
             == "connected", 10, "socket A")
    srv.take()
    return srv


def test_inline_commands_by_line():
    """UATEN and NATEN frame by line inside a packet: each command line
    runs, one split across segments is put together, and no line with
    the password is passed on as data."""
    srv = commands_on_socket_a()
    try:
        P.drain()
        pw = ADMIN.encode()
        srv.send(b"%s#AT+VER\r\n%s#AT+WKMOD?\r\n" % (pw, pw))
        wait_for(lambda: b"+VER:" in srv.received() and
                 b"+WKMOD:" in srv.received(), 10,
                 "both commands of one packet answered")
        check(True, "two commands in one packet from the socket both run")
        srv.take()
        with srv.lock:
            c = srv.conns[-1]
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c.sendall(b"%s#A" % pw)
        c.sendall(b"T+VER\r\n")
        wait_for(lambda: b"+VER:" in srv.received(), 10,
                 "the split command answered")
        check(True, "a command split across segments runs")
        srv.send(b"hello\r\n%s#AT+E?\r\nworld\r\n" % pw)
        got = P.read_until(lambda b: b"world" in b, 10)
        check(b"hello\r\n" in got and b"world\r\n" in got,
              "the data lines around a command reach the data port")
        port = P.drain()
        P.write(b"%s#AT+VER\r%s#AT+WKMOD?\r" % (pw, pw))
        got = P.read_until(lambda b: b"+VER:" in b and b"+WKMOD:" in b, 10)
        check(b"+VER:" in got and b"+WKMOD:" in got,
              "two commands in one write on the data port both run")
        port += P.drain()
        check(pw not in port, "no password reached the data port")
        check(pw not in srv.received(), "no password reached the server")
    finally:
        for n, v in (("NATEN", "off"), ("UATEN", "off"), ("SOCKAEN", "off")):
            set_(n, v)
        srv.close()


def test_network_guesses_locked_out():
    set_("auth.lockout_failures", "3")
    srv = commands_on_socket_a()
    try:
        srv.send(("%s#AT+VER\r\n" % ADMIN).encode())
        check(b"+VER:" in srv.wait_bytes(8, 5), "NATEN answers the password")
        srv.take()
        for i, seen in enumerate(("(1 of 3)", "(2 of 3)",
                                  "wrong password; locked out")):
            # one inline command per packet, as a server sends them
            srv.send(b"guess%d#AT+VER\r\n" % i)
            wait_for(lambda: "auth: net socket A: wrong password " + seen
                     in D.read_log() or seen in D.read_log(), 10,
                     "failure %d counted" % (i + 1))
        check(True, "three guesses from the socket locked it out")
        srv.send(("%s#AT+VER\r\n" % ADMIN).encode())
        check(srv.wait_bytes(1, 1.0) == b"",
              "locked out: the right password from the socket gets nothing")
        P.drain()
        P.write(("%s#AT+VER\r" % ADMIN).encode())
        check(P.expect(b"+VER:", 5),
              "the data port (another channel) is not locked out")
    finally:
        for n, v in (("NATEN", "off"), ("UATEN", "off"), ("SOCKAEN", "off"),
                     ("auth.lockout_failures", "5")):
            set_(n, v)
        srv.close()


def at_rest():
    """The bytes of the database, its WAL and the log."""
    D.ctl("settings", "get", "E")
    data = b""
    for f in (D.db, D.db + "-wal", D.log):
        if os.path.exists(f):
            with open(f, "rb") as fh:
                data += fh.read()
    return data


def test_password_before_hash_never_stored():
    """pw#ATVER and pw# do not parse as commands, but hold the password:
    redacted in the message log, the database, its WAL and the log."""
    for text in ("%s#ATVER", "%s#", "hi %s#AT"):
        r = T.sms(STRANGER, text % SUPER)
        check(r is None, "%r: no reply" % (text % "pw"))
    data = at_rest()
    check(SUPER.encode() not in data,
          "the password is not in the database, its WAL or the log")
    rc, out, err = D.ctl("sms", "list", "--limit", "10")
    check(rc == 0 and SUPER not in out and "***#ATVER" in out and
          "***#" in out, "`sms list` shows them redacted: %s" % out)


def inject(sender, text):
    for p in T.PEER.encode_deliver(sender, text):
        T.SIM.inject_sms(p)


def processed_count():
    return sum(1 for m in T.messages()
               if m["direction"] == "in" and m["status"] != "new")


def test_strangers_never_cap():
    """Operator notices, spam, delivery reports: strangers without a
    password never count toward the failure cap, however many."""
    before = processed_count()
    for i in range(32):
        inject("+4917090003%02d" % i, "Your balance is %d.00 EUR" % i)
    wait_for(lambda: processed_count() >= before + 32, 60,
             "32 strangers' messages processed")
    r = T.sms(STRANGER, "%s#AT+VER" % SUPER)
    check(r is not None and "+VER:" in r,
          "after 32 strangers, the owner's command runs and is answered: "
          "%r" % r)
    check("rationed" not in D.read_log(), "no check was rationed")


def test_failure_cap():
    """Past the cap of wrong passwords, checks are rationed, not refused:
    the right password waits its turn, left in the modem's storage (not
    written anywhere), then runs; while messages wait, the phonebook's
    numbers go first."""
    set_("auth.failure_cap", "4")
    before = processed_count()
    for i in range(5):
        inject("+4917090001%02d" % i, "STATUS,PWD=nope%d#" % i)
    wait_for(lambda: processed_count() >= before + 5, 60,
             "the 5 guesses judged")
    last = max(m["id"] for m in T.messages())
    T.SIM.check("clear")
    index = T.SIM.inject_sms(T.PEER.encode_deliver(
        "+491709000200", "STATUS,PWD=%s#" % SUPER)[0])
    wait_for(lambda: re.search(r"a command from \+491709000200 waits "
                               r"for its password check's turn: left in "
                               r"the modem's storage \(slot %d\)" % index,
                               D.read_log()), 20, "the check rationed")
    mine = [m for m in T.messages() if m["id"] > last]
    check(mine == [] and [s["index"] for s in T.SIM.storage()] == [index],
          "a command waiting its turn stays in the modem's storage, not "
          "in the log: %r" % mine)
    check("password checks are rationed" in D.read_log(),
          "the ration is logged")
    for i in range(3):
        inject("+4917090003%02d" % i, "STATUS,PWD=again%d#" % i)
    inject(OWNER, "%s#AT+VER" % SUPER)

    def answered(number):
        return lambda: next((x for x in T.messages() if x["id"] > last and
                             x["direction"] == "out" and
                             x["number"] == number), None)
    wait_for(answered(OWNER), 40, "the owner's command answered")
    wait_for(answered("+491709000200"), 40,
             "the rationed command answered in its turn")
    log = D.read_log()
    owner = log.find("auth: sms %s: password accepted" % OWNER)
    other = log.find("auth: sms +491709000200: password accepted")
    check(0 <= owner < other, "while checks wait, the phonebook's number "
          "goes first: the owner's command ran before the stranger's")
    set_("auth.failure_cap", "30")


def test_modem_at_judges_commands_by_name():
    for line in ("AT+CMGS =14", "at+cmgs=14", "AT+CSQ;+CMGW=20",
                 "AT+C MGS=14"):
        rc, out, err = D.ctl("modem", "at", line)
        check(rc != 0 and "needs a PDU" in err,
              "modem at refuses a prompting command: %r" % line)
    for line in ('AT+COPS?;+CPIN="4321"', 'AT+CSQ;+CP IN="4322"',
                 'AT+CLCK="SC",0,"4323"'):
        D.ctl("modem", "at", line)
    log = D.read_log()
    check("4321" not in log and "4322" not in log and "4323" not in log,
          "a PIN anywhere in a chained line never reaches the log")
    rc, out, err = D.ctl("modem", "at", 'AT+CPIN="12')
    check(rc != 0 and "unterminated" in err,
          "a line the modem could not read is refused")


def test_new_passwords_never_at_rest():
    forms = (("%s#AT+CMDPW=Nw-pass1", "Nw-pass1"),
             ("CMDPW,Nw-pass2,PWD=%s#", "Nw-pass2"),
             ("CMDPW:Nw-pass3;%s", "Nw-pass3"),
             ("PWD,Nw-pass4,PWD=%s#", "Nw-pass4"),
             ("PWDNw-pass5;%s", "Nw-pass5"))
    secrets = [SUPER] + [p for _, p in forms]
    for text, _ in forms:
        T.sms(STRANGER, text % SUPER)
    data = at_rest()
    leaked = [p for p in secrets if p.encode() in data]
    check(leaked == [], "no new or old password in the database, its WAL "
          "or the log, in any form: %s" % leaked)
    texts = [m["text"] for m in T.messages() if m["direction"] == "in"]
    check("CMDPW,***,PWD=***#" in texts and "CMDPW=***;***" in texts,
          "the message log shows the commands with *** for passwords")
    D.ctl("passwd", "admin", input=ADMIN + "\n")


def main():
    global D, P
    D = Daemon()
    T.D = D
    T.SIM = Sim.start(BUILDDIR, "generic", D.dir)
    T.PEER = SmsPeer(D, T.SIM)
    D.write_conf('modem = { device = "%s"; };\n'
                 'data_port = { pty = "%s"; };\n'
                 % (T.SIM.link, os.path.join(D.dir, "data")))
    D.start()
    wait_for(T.ready, 30, "modem ready")
    D.ctl("passwd", "superadmin", input=SUPER + "\n")
    D.ctl("passwd", "admin", input=ADMIN + "\n")
    D.ctl("phonebook", "add", "1", OWNER, "role=admin",
          "password=not-required")
    P = Pty(os.path.join(D.dir, "data"))
    try:
        run_tests(test_bulk_changes_keep_protected_settings,
                  test_remote_lock_only_locally,
                  test_ussd_code_needs_password,
                  test_inline_commands_by_line,
                  test_network_guesses_locked_out,
                  test_modem_at_judges_commands_by_name,
                  test_new_passwords_never_at_rest,
                  test_password_before_hash_never_stored,
                  test_strangers_never_cap,
                  # last: the ration lasts a minute after the last guess
                  test_failure_cap)
    finally:
        D.cleanup()
        T.SIM.stop()


if __name__ == "__main__":
    main()
