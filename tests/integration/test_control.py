"""test_control.py: the control socket and cellgatectl against the real daemon.

Settings survive a restart; bad values are refused and change nothing; an
unprivileged peer is refused; malformed and oversized frames get an error and
the daemon stays up; the connection cap; the event stream; AT+Z restarts in
place; passwords are set without ever appearing in argv or the log.
"""
import json
import os
import socket
import stat
import struct

from cgtest import Daemon, RawClient, check, frame, run_tests, wait_for

D = None


def alive():
    rc, out, _ = D.ctl("status")
    return rc == 0


def test_status_and_settings():
    st = D.ctl_json("status")
    for key in ("state", "manufacturer", "model", "revision", "imei", "imsi",
                "iccid", "operator", "registration", "signal"):
        check(key in st["modem"], "status has modem.%s" % key)
    check(set(("unread", "outbox")) <= set(st["sms"]), "status has sms block")
    check(st["bridge"]["mode"] == "NET" and "state" in st["bridge"]["socket_a"]
          and "state" in st["bridge"]["socket_b"], "status has bridge block")
    lst = D.ctl_json("settings", "list")
    names = {s["name"]: s for s in lst}
    check("bridge.mode" in names and names["bridge.mode"]["alias"] == "WKMOD",
          "settings list shows bridge.mode with its alias")
    check(all(s["source"] in ("default", "config", "runtime") for s in lst),
          "every setting has a source")
    check(names["bridge.welcome"]["source"] == "config"
          and names["bridge.welcome"]["value"] == "from config",
          "config value shown with source config")
    rc, out, err = D.ctl("settings", "list")
    check(rc == 0 and "bridge.mode [AT+WKMOD] = NET (default)" in out,
          "text settings list")


def test_set_get_reset_persist():
    rc, out, err = D.ctl("settings", "set", "WKMOD", "httpd")
    check(rc == 0 and "HTTPD (runtime)" in out, "settings set by alias")
    rc, out, err = D.ctl("settings", "set", "bridge.welcome", "hello, world")
    check(rc == 0, "settings set free text with a comma")
    rc, out, err = D.ctl("settings", "set", "SOCKA", "UDP,127.0.0.1,9999")
    check(rc == 0, "settings set multi-field")
    # bad values: non-zero exit, one clear line, nothing changed
    for name, value, words in (("WKMOD", "FAX", "NET|HTTPD|SMS|CMD"),
                               ("auth.remote_lock", "99", "0..15"),
                               ("auth.remote_lock", "-1", "0..15"),
                               ("SOCKA", "TCP,host", "protocol,host,port"),
                               ("SOCKA", "TCP,host,70000", "1..65535"),
                               ("E", "maybe", "on|off"),
                               ("STMSG", "x" * 65, "0..64"),
                               ("STMSG", "bell\x07", "control")):
        rc, out, err = D.ctl("settings", "set", name, value)
        check(rc != 0 and words in err and err.count("\n") == 1,
              "refused %s=%r: %s" % (name, value, err.strip()))
    rc, out, err = D.ctl("settings", "set", "nosuch", "1")
    check(rc != 0 and "unknown setting" in err, "unknown setting refused")
    check(D.ctl_json("settings", "get", "WKMOD")["value"] == "HTTPD",
          "refused values changed nothing")
    # restart: runtime values persist, and win over the config file
    check(D.stop() == 0, "daemon stops cleanly (exit 0)")
    D.start()
    check(D.ctl_json("settings", "get", "WKMOD")["value"] == "HTTPD",
          "setting survives a restart")
    w = D.ctl_json("settings", "get", "STMSG")
    check(w["value"] == "hello, world" and w["source"] == "runtime",
          "runtime value wins over config after restart")
    check(D.ctl_json("settings", "get", "SOCKA")["value"] == "UDP,127.0.0.1,9999",
          "multi-field setting survives a restart")
    rc, out, err = D.ctl("settings", "reset", "STMSG")
    check(rc == 0 and "from config (config)" in out, "reset back to config")
    rc, out, err = D.ctl("settings", "reset", "WKMOD")
    check(rc == 0 and "NET (default)" in out, "reset back to default")


def test_at_form():
    rc, out = D.at("AT+VER")
    check(rc == 0 and out.startswith("+VER:") and out.endswith("\nOK"),
          "AT+VER reply")
    rc, out = D.at('AT+SOCKA="TCP","test.usr.cn",10000')
    check(rc == 0 and out == "OK", "AT+SOCKA set (seed example)")
    rc, out = D.at("AT+SOCKA?")
    check(out == "+SOCKA:TCP,test.usr.cn,10000\nOK", "AT+SOCKA? reply")
    rc, out = D.at("AT+WKMOD=FAX")
    check(rc == 1 and out.startswith("ERROR: "), "AT error reply, exit 1")
    rc, out = D.at("AT+NOPE")
    check(rc == 1 and out == "ERROR: unknown command NOPE", "unknown command")
    rc, out = D.at("AT+STMSG=a\x1ab")
    check(rc == 1 and "control character" in out, "control bytes refused")
    rc, out = D.at("AT+CFGTF")
    check(rc == 0, "AT+CFGTF")
    D.at("AT+SOCKA=UDP,example.org,1")
    rc, out = D.at("AT+RELD")
    check(rc == 0 and D.at("AT+SOCKA?")[1] == "+SOCKA:TCP,test.usr.cn,10000\nOK",
          "AT+RELD restores the user defaults")
    rc, out = D.at("AT+CLEAR")
    check(rc == 0 and D.ctl_json("settings", "get", "SOCKA")["source"] == "default",
          "AT+CLEAR restores factory settings")
    rc, out = D.at("AT+S")
    check(rc == 0 and out == "OK", "AT+S")


def test_restart_in_place():
    before = D.ctl_json("status")["daemon"]
    pid = before["pid"]
    D.at("AT+STMSG=before restart")
    rc, out = D.at("AT+Z")
    check(rc == 0 and out == "OK", "AT+Z answers OK before restarting")
    # the same process comes back (re-exec): wait for a fresh start time
    def restarted():
        rc, out, _ = D.ctl("status", json_out=True)
        if rc != 0:
            return False
        st = json.loads(out)
        return st["daemon"]["started"] != before["started"] and st
    st = wait_for(restarted, 15, "daemon back after AT+Z")
    check(st["daemon"]["pid"] == pid, "AT+Z restarts in place (same pid)")
    check(D.at("AT+STMSG?")[1] == "+STMSG:before restart\nOK",
          "settings kept across AT+Z")


def test_peer_credentials():
    # make the socket world-writable so that only the SO_PEERCRED check stands
    os.chmod(D.socket, 0o666)
    rc, out, err = D.ctl("status", user=65534)
    check(rc != 0 and "permission denied" in err,
          "unprivileged peer refused: %s" % err.strip())
    check(alive(), "daemon still serves root after a refused peer")
    D.stop()
    D.start()
    mode = stat.S_IMODE(os.stat(D.socket).st_mode)
    check(mode == 0o660, "control socket mode 0660 (got %o)" % mode)


def test_malformed_frames():
    cases = [
        (b"XX\x01\x01\x00\x00\x00\x02{}", "bad frame magic"),
        (frame({"id": 1, "cmd": "status"}, version=9), "unsupported protocol version"),
        (frame({"id": 1, "cmd": "status"}, ftype=7), "bad frame type"),
        (frame({"id": 1, "cmd": "status"}, ftype=2), "only requests"),
        (frame(b"", length=10 * 1024 * 1024), "frame too large"),
        (frame(b"not json"), "not valid JSON"),
        (frame(b"[1,2,3]"), "not a JSON object"),
        (frame({"cmd": "status"}), "integer \"id\""),
        (frame({"id": 1, "cmd": 42}), "string \"cmd\""),
        (frame({"id": 1, "cmd": "status", "args": [1]}), "\"args\" must be"),
        (frame(b"{\"id\":1,\"cmd\":\"status\"}\x00"), "NUL"),
    ]
    for data, words in cases:
        c = RawClient(D.socket)
        c.send(data)
        f = c.read()
        ok = f is not None and f[0] == 2 and f[1]["ok"] is False \
            and words in f[1]["error"]
        check(ok, "malformed frame answered with %r (got %r)" % (words, f and f[1]))
        check(c.closed(), "connection closed after a framing error")
        c.close()
    # unknown request and bad arguments: an error, the connection stays open
    c = RawClient(D.socket)
    r = c.call("no.such.request", rid=5)
    check(r["id"] == 5 and not r["ok"] and "unknown request" in r["error"],
          "unknown request")
    r = c.call("settings.get", {"name": 5}, rid=6)
    check(not r["ok"] and "name" in r["error"], "bad argument type")
    r = c.call("status", rid=7)
    check(r["ok"] and r["id"] == 7, "same connection still serves")
    # a frame split into single bytes is still one request
    data = frame({"id": 8, "cmd": "status"})
    for b in data:
        c.send(bytes([b]))
    f = c.read()
    check(f[1]["id"] == 8 and f[1]["ok"], "byte-by-byte frame")
    c.close()
    check(alive(), "daemon up after malformed frames")


def test_connection_cap():
    clients = [RawClient(D.socket) for _ in range(4)]
    for c in clients:
        check(c.call("status")["ok"], "client within the cap served")
    extra = RawClient(D.socket)
    f = extra.read()
    check(f is not None and "too many" in f[1]["error"], "connection over the cap refused")
    extra.close()
    for c in clients:
        c.close()
    wait_for(alive, 5, "daemon serving after clients left")


def test_monitor_events():
    m = RawClient(D.socket)
    check(m.call("monitor")["ok"], "monitor subscribed")
    D.ctl("settings", "set", "WKMOD", "CMD")
    seen = None
    while seen is None:
        f = m.read()
        if f is None:
            break
        if f[0] == 3 and f[1].get("event") == "setting" and f[1].get("name") == "bridge.mode":
            seen = f[1]
    check(seen is not None and seen["value"] == "CMD" and seen["source"] == "runtime"
          and "time" in seen, "monitor shows the setting change")
    m.close()
    D.ctl("settings", "reset", "WKMOD")
    rc, out, err = D.ctl("events", "--limit", "10", json_out=True)
    evs = [e for e in map(json.loads, out.splitlines())
           if e["event"] == "setting" and e["name"] == "bridge.mode"]
    check(rc == 0 and len(out.splitlines()) <= 10 and len(evs) >= 2
          and evs[-2]["value"] == "CMD" and evs[-1]["value"] == "NET",
          "events shows the latest events, oldest first")
    rc, out, err = D.ctl("events", "--limit", "0")
    check(rc != 0 and "1..1000" in err, "events --limit out of range refused")


def test_passwd():
    rc, out, err = D.ctl("passwd", "superadmin", input="Sup3r-secret\n")
    check(rc == 0, "passwd superadmin from stdin")
    rc, out, err = D.ctl("passwd", "admin", input="bad;pw\n")
    check(rc != 0 and "may not contain" in err, "bad password refused")
    rc, out, err = D.ctl("passwd", "user", input="whatever\n")
    check(rc == 2, "passwd needs superadmin|admin")
    log = D.read_log()
    check("Sup3r-secret" not in log, "password never in the log")
    with open(D.db, "rb") as f:
        data = f.read()
    wal = D.db + "-wal"
    if os.path.exists(wal):
        with open(wal, "rb") as f:
            data += f.read()
    check(b"Sup3r-secret" not in data and b"$y$" in data,
          "only a yescrypt hash is stored")


def main():
    global D
    D = Daemon('bridge = { welcome = "from config"; };\n', max_clients=4)
    D.start()
    try:
        run_tests(test_status_and_settings, test_set_get_reset_persist,
                  test_at_form, test_restart_in_place, test_peer_credentials,
                  test_malformed_frames, test_connection_cap,
                  test_monitor_events, test_passwd, test_clean_stop)
    finally:
        D.cleanup()


def test_clean_stop():
    check(D.stop() == 0, "daemon exits 0 on SIGTERM")
    check(not os.path.exists(D.socket), "control socket removed at stop")

if __name__ == "__main__":
    main()
