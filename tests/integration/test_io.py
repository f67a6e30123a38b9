"""test_io.py: the io module end to end, through SMS (gsm-remote-control
seed): every I/O and thermostat command with its reply in the short form
and an AT/verb spelling, bad arguments refused with nothing changed, an
input alarm (SMS to the alarm_sms positions, then calls to the alarm_call
positions in order, a busy one skipped), inhibition, ALLMAX/ALLMIN -> THI/
TLO texts, FUN:A driving the relay file around the setpoint, TEMP/TRES,
RIP1 across a restart (the relay file is never touched), a sensor file that
goes missing or holds garbage (error state, no alarm), a w1_slave with a
good and a bad CRC, a call answered with the TEMP message, the startup SMS,
and `cellgatectl io`.  Everything runs on files in a scratch directory
against cellgate-modemsim.
"""
import datetime
import json
import os
import subprocess
import sys

from cgtest import (BUILDDIR, CELLGATECTL, CELLGATED, Daemon, SmsPeer,
                    check, run_tests, wait_for)
from modemsim import Sim

D = None
SIM = None
PEER = None
DIR = None
SUPER = "Sup3r-pw"
ADMIN = "12345"
OWNER = "+491701000001"     # position 1, admin, no password needed
P2 = "+491701000002"
P3 = "+491701000003"
STRANGER = "+491709000009"

W1_GOOD = ("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n"
           "72 01 4b 46 7f ff 0e 10 57 t=23125\n")
W1_BADCRC = ("72 01 4b 46 7f ff 0e 10 57 : crc=57 NO\n"
             "72 01 4b 46 7f ff 0e 10 57 t=23125\n")



def path(name):
    return os.path.join(DIR, name)


def write(name, text):
    tmp = path(name + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path(name))


def read(name):
    with open(path(name)) as f:
        return f.read().strip()


def messages():
    return PEER.messages()


def sent():
    return PEER.sent()


def sms(sender, text):
    """Send one SMS; return the reply text, or None when none came."""
    return PEER.sms(sender, text)


def expect(text, reply, sender=OWNER):
    r = sms(sender, text)
    check(r == reply, "%s -> %r (want %r)" % (text, r, reply))


def setting(name):
    return D.ctl_json("settings", "get", name)["value"]


def item(name):
    st = D.ctl_json("io", "list")
    return next(i for i in st["items"] if i["name"] == name)


def temp_is(value):
    write("t1", "%d\n" % int(round(value * 1000)))
    wait_for(lambda: item("temp1")["value"] is not None and
             abs(item("temp1")["value"] - value) < 1e-6, 15,
             "sensor reads %s" % value)


def ready():
    return D.ctl_json("status")["modem"]["state"] == "ready"


def test_commands():
    expect("OUT:ON;%s" % ADMIN, "OUT1:ON\nOK", STRANGER)
    check(read("relay") == "1", "OUT:ON drives the relay file")
    expect("OUT?", "OUT1:ON\nOUT2:OFF\nOK")
    expect("OUT:OFF", "OUT1:OFF\nOK")
    check(read("relay") == "0", "OUT:OFF")
    expect("OUT2:ON", "OUT2:ON\nOK")
    check(read("relay2") == "0", "output 2 is active-low: on writes 0")
    expect("OUT2?", "OUT2:ON\nOK")
    expect("%s#AT+OUT=2,OFF" % ADMIN, "OUT2:OFF\nOK", STRANGER)
    check(read("relay2") == "1", "AT+OUT=2,OFF")
    expect("OUT,ON#", "OUT1:ON\nOK")
    expect("OUT:OFF", "OUT1:OFF\nOK")
    expect("RIP1", "RIP1\nOK")
    expect("RIP?", "RIP1\nOK")
    check(setting("io.restore") == "on", "RIP1 sets io.restore")
    expect("RIP0", "RIP0\nOK")
    expect("SMS13:ON", "SMS13:ON\nOK")
    expect("SMS2:OFF", "SMS2:OFF\nOK")
    expect("SMS?", "SMS:13\nOK")
    expect("VOC23:ON", "VOC23:ON\nOK")
    expect("%s#AT+VOC?" % ADMIN, "VOC:23\nOK", STRANGER)
    pb = {e["pos"]: e for e in D.ctl_json("phonebook", "list")}
    check(pb[1]["alarm_sms"] and not pb[2]["alarm_sms"] and pb[3]["alarm_sms"]
          and not pb[1]["alarm_call"] and pb[2]["alarm_call"]
          and pb[3]["alarm_call"], "phonebook alarm flags: %r" % pb)
    expect("INC:05", "INC:05\nOK")
    expect("INC?", "INC:05\nOK")
    expect("INT:10", "INT:10\nOK")
    check(setting("thermo.alarm_inhibit") == "10", "INT:10")
    expect("ALLMIN:+02", "ALLMIN:+02\nOK")
    expect("ALLMAX:+35", "ALLMAX:+35\nOK")
    expect("ALL?", "ALL:ON MIN:+02 MAX:+35\nOK")
    expect("ALL:OFF", "ALL:OFF MIN:+02 MAX:+35\nOK")
    expect("ALL:ON", "ALL:ON MIN:+02 MAX:+35\nOK")
    expect("NOR:24", "NOR:24\nOK")
    check(setting("thermo.setpoint") == "24", "NOR:24")
    expect("FUN:M", "FUN:M\nOK")
    check(read("relay") == "1", "FUN:M forces relay 1 on")
    expect("FUN?", "FUN:M\nOK")
    expect("%s#AT+FUN=T" % ADMIN, "FUN:T\nOK", STRANGER)
    expect("OUT:OFF", "OUT1:OFF\nOK")
    expect("AVV1", "AVV1\nOK")
    expect("AVV?", "AVV1\nOK")
    expect("TSU:Boiler room up", "TSU:Boiler room up\nOK")
    check(setting("io.startup_text") == "Boiler room up", "TSU text")
    expect("TIN1A:Door open", "TIN1A:Door open\nOK")
    expect("%s#AT+TIN1A=Door open!" % ADMIN, "TIN1A:Door open!\nOK",
           STRANGER)
    expect("THI:Too hot", "THI:Too hot\nOK")
    expect("TLO:Too cold", "TLO:Too cold\nOK")
    expect("TEMP", "TEMP:+21.5C MIN:+21.5C MAX:+21.5C\nOK")
    expect("TEMP#", "TEMP:+21.5C MIN:+21.5C MAX:+21.5C\nOK")
    expect("INC:01,NOR:20,RISP", None)
    check(setting("io.input_inhibit") == "1" and
          setting("thermo.setpoint") == "20", "RISP: run, no reply")
    expect("INT:00,FUN?", "INT:00\nOK\nFUN:T\nOK")


def test_bad_input():
    before = {n: setting(n) for n in ("thermo.alarm_min", "io.input_inhibit",
                                      "thermo.setpoint", "io.startup_text",
                                      "thermo.mode")}
    pb = D.ctl_json("phonebook", "list")
    for text, why in (("ALLMIN:-11", "ALLMIN"), ("ALLMIN:+100", "ALLMIN"),
                      ("INC:60", "INC"), ("INC:5x", "INC"),
                      ("NOR:abc", "NOR"), ("FUN:X", "FUN"),
                      ("TSU:" + "x" * 101, "TSU"), ("SMS9:ON", "SMS"),
                      ("SMS12:MAYBE", "SMS"), ("VOC4:ON", "VOC"),
                      ("OUT:MAYBE", "OUT"), ("OUT7:ON", "OUT"),
                      ("RIP2", "RIP"), ("AVV7", "AVV")):
        r = sms(OWNER, text)
        check(r is not None and r.startswith("ERROR: " + why),
              "%s refused: %r" % (text, r))
    after = {n: setting(n) for n in before}
    check(after == before, "nothing changed: %r vs %r" % (after, before))
    check(D.ctl_json("phonebook", "list") == pb, "phonebook unchanged")
    r = sms(P2, "OUT:ON")
    check(r is None, "a number not in the phonebook gets no reply")


def wait_sent(want, what):
    return wait_for(lambda: set(want) <= set(sent()) and sent(), 20, what)


def test_input_alarm():
    sms(OWNER, "INC:01,TIN1A:Door open,RISP")
    D.ctl("settings", "set", "alarm.ring_time", "2")
    SIM.check("clear")
    SIM.dialmode("busy", 1)
    write("in1", "1\n")
    wait_sent([(OWNER, "Door open"), (P3, "Door open")], "alarm SMS")
    check(not any(n == P2 for n, t in sent()),
          "no SMS to position 2 (alarm_sms off)")
    wait_for(lambda: len(SIM.calls()) == 2 and SIM.calls()[1]["end"], 30,
             "two alarm calls")
    c = SIM.calls()
    check([x["number"] for x in c] == [P2, P3],
          "calls in position order: %r" % c)
    check(c[0]["end"] == "busy" and c[1]["end"] in ("ATH", "CHUP"),
          "busy call skipped, the next rang and was hung up: %r" % c)
    rc, out, err = D.ctl("events", "--limit", "200", json_out=True)
    ev = [e for e in map(json.loads, out.splitlines())
          if e.get("event") == "alarm" and e.get("source") == "in1"]
    check(ev, "an alarm event was published")
    # inhibition: the input goes idle and active again within INC
    SIM.check("clear")
    write("in1", "0\n")
    wait_for(lambda: item("in1")["state"] == "off", 10, "input idle")
    write("in1", "1\n")
    wait_for(lambda: item("in1")["state"] == "on", 10, "input active")
    sms(OWNER, "INC?")      # a round trip through the loop
    check(not any(t == "Door open" for n, t in sent()),
          "inhibited: no second alarm: %r" % sent())
    check(SIM.calls() == [], "inhibited: no calls")
    write("in1", "0\n")


def test_thermal_alarms():
    D.ctl("settings", "set", "alarm.ring_time", "1")
    sms(OWNER, "VOC23:OFF,THI:Too hot,TLO:Too cold,ALLMIN:+02,INT:10,RISP")
    SIM.check("clear")
    temp_is(30.0)
    sms(OWNER, "ALLMAX:+25")
    wait_sent([(OWNER, "Too hot"), (P3, "Too hot")], "THI text")
    SIM.check("clear")
    temp_is(1.0)
    sms(OWNER, "ALLMIN:+03")        # a new threshold re-arms the alarm
    wait_sent([(OWNER, "Too cold"), (P3, "Too cold")], "TLO text")
    SIM.check("clear")
    temp_is(0.5)
    sms(OWNER, "TEMP")
    check(not any(t == "Too cold" for n, t in sent()),
          "INT:10 inhibits the next thermal alarm: %r" % sent())
    sms(OWNER, "ALL:OFF,RISP")
    temp_is(21.5)


def test_fun_a():
    sms(OWNER, "ALL:OFF,OUT:OFF,NOR:20,RISP")
    check(setting("thermo.hysteresis") == "0.5", "hysteresis default 0.5")
    expect("FUN:A", "FUN:A\nOK")
    temp_is(19.0)
    wait_for(lambda: read("relay") == "1", 10, "below the band: relay on")
    temp_is(20.3)
    check(read("relay") == "1", "inside the band: relay stays on")
    temp_is(21.0)
    wait_for(lambda: read("relay") == "0", 10, "above the band: relay off")
    temp_is(19.8)
    check(read("relay") == "0", "inside the band: relay stays off")
    temp_is(19.4)
    wait_for(lambda: read("relay") == "1", 10, "below again: relay on")
    sms(OWNER, "FUN:T,OUT:OFF,RISP")
    write("in2", "1\n")
    wait_for(lambda: read("relay") == "1", 10, "FUN:T: relay follows in2 on")
    write("in2", "0\n")
    wait_for(lambda: read("relay") == "0", 10, "FUN:T: relay follows in2 off")


def test_temp_tres():
    temp_is(25.0)
    temp_is(18.5)
    temp_is(21.5)
    r = sms(OWNER, "TEMP")
    check(r.startswith("TEMP:+21.5C MIN:") and "MAX:+" in r, "TEMP %r" % r)
    mn = float(r.split("MIN:")[1].split("C")[0])
    mx = float(r.split("MAX:")[1].split("C")[0])
    check(mn <= 18.5 and mx >= 25.0, "min and max kept: %r" % r)
    expect("TRES", "TEMP:+21.5C MIN:+21.5C MAX:+21.5C\nOK")
    expect("TEMP", "TEMP:+21.5C MIN:+21.5C MAX:+21.5C\nOK")


def restart():
    check(D.stop() == 0, "clean stop")
    D.start()
    wait_for(ready, 30, "modem ready")


def test_rip_restart():
    sms(OWNER, "RIP1,OUT:ON,AVV0,RISP")
    st = os.stat(path("relay"))
    restart()
    st2 = os.stat(path("relay"))
    check(read("relay") == "1", "RIP1: relay still on after the restart")
    check((st.st_mtime_ns, st.st_ino) == (st2.st_mtime_ns, st2.st_ino),
          "the relay file was not touched during the restart")
    expect("OUT?", "OUT1:ON\nOUT2:OFF\nOK")
    sms(OWNER, "RIP0,RISP")
    restart()
    check(read("relay") == "0", "RIP0: outputs start off")


def test_startup_sms():
    sms(OWNER, "AVV1,TSU:Boiler room up,SMS13:ON,RISP")
    SIM.check("clear")
    restart()
    wait_sent([(OWNER, "Boiler room up"), (P3, "Boiler room up")],
              "startup SMS")
    sms(OWNER, "AVV0,RISP")


def test_sensor_errors():
    sms(OWNER, "ALLMIN:+02,ALLMAX:+35,INT:00,ALL:ON,RISP")
    SIM.check("clear")
    os.unlink(path("t1"))
    wait_for(lambda: item("temp1")["state"] == "error", 15,
             "missing file: error state")
    check("t1" in item("temp1")["error"], "the error names the file")
    r = sms(OWNER, "TEMP")
    check(r.startswith("TEMP:ERROR"), "TEMP reports the error: %r" % r)
    write("t1", "garbage\n")
    wait_for(lambda: "number" in item("temp1")["error"], 15,
             "garbage: error state")
    write("t1", "85000\n")
    wait_for(lambda: "85000" in item("temp1")["error"], 15,
             "85000 refused")
    sms(OWNER, "TEMP")
    check(not any(t in ("Too hot", "Too cold") for n, t in sent()),
          "no alarm from a failed read: %r" % sent())
    temp_is(21.5)
    check(item("temp1")["error"] == "", "reads again")
    sms(OWNER, "ALL:OFF,INT:10,RISP")


def test_w1():
    write("w1_slave", W1_GOOD)
    wait_for(lambda: item("temp2")["value"] == 23.125, 15, "w1 reading")
    write("w1_slave", W1_BADCRC)
    wait_for(lambda: item("temp2")["state"] == "error", 15, "bad CRC")
    check("CRC" in item("temp2")["error"], "CRC error: %r" % item("temp2"))


def test_call_temperature():
    D.ctl("phonebook", "set", "1", "call=temperature")
    SIM.check("clear")
    SIM.ring(OWNER)
    wait_for(lambda: sent(), 20, "TEMP SMS after the call")
    check(sent()[0] == (OWNER, "TEMP:+21.5C MIN:+21.5C MAX:+21.5C") or
          sent()[0][1].startswith("TEMP:+21.5C"),
          "answered with the TEMP message: %r" % sent())
    check(any(c in ("ATH", "AT+CHUP") for c in SIM.commands()), "hung up")
    D.ctl("phonebook", "set", "1", "call=hangup-reply")
    try:
        SIM.cmd("hangup")
    except Exception:
        pass


def slow_readers():
    """Sensor children of the daemon still in their slow read."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % pid) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == D.proc.pid and b"cgtest-slow-sensor" in cmd:
            found.append(int(pid))
    return found


def test_slow_sensor_does_not_block():
    """A sensor that takes seconds (like a DS18B20's 750 ms) is read in
    a child: the daemon answers while the child is still reading."""
    # the reader waits for the gate file; the daemon gives up on a read
    # after 10 s and starts another, so try a few reads
    for attempt in range(5):
        pids = wait_for(slow_readers, 15, "a slow sensor read under way")
        rc, out, err = D.ctl("io", "list")
        if rc == 0 and set(pids) & set(slow_readers()):
            break
    check(rc == 0 and "slow" in out, "the daemon answers during the read")
    check(set(pids) & set(slow_readers()),
          "... while that read was still running")
    write("gate", "open\n")
    wait_for(lambda: item("slow")["value"] == 20.0, 25,
             "the read arrives once the sensor answers")


def test_check_config():
    """Bad io sections are refused by --check-config with file and line."""
    conf = path("bad.conf")
    for body, line, why in (
            ('  outputs = (\n    { name = "a"; file = "/tmp/a";'
             ' gpio = "gpiochip0:1"; } );\n', 3, "only one backend"),
            ('  outputs = ( { name = "a"; gpio = "cgtest-nochip:17"; } );\n',
             2, "unknown chip"),
            ('  outputs = ( { name = "a"; file = "/tmp/a"; } );\n'
             '  inputs = (\n    { name = "a"; file = "/tmp/b"; } );\n',
             4, "duplicate name")):
        with open(conf, "w") as f:
            f.write("io = {\n" + body + "};\n")
        p = subprocess.run([CELLGATED, "--check-config", "-c", conf],
                           capture_output=True, text=True, timeout=10)
        check(p.returncode != 0 and "%s:%d:" % (conf, line) in p.stderr
              and why in p.stderr, "--check-config refuses (%s): %r"
              % (why, p.stderr))


def test_ctl():
    rc, out, err = D.ctl("io", "set", "relay1", "on")
    check(rc == 0 and "relay1" in out and "on" in out, "io set: %r" % out)
    check(read("relay") == "1", "io set drives the file")
    rc, out, err = D.ctl("io", "list")
    check(rc == 0 and "relay1" in out and "temp1" in out and "in1" in out,
          "io list: %r" % out)
    st = D.ctl_json("status")["io"]
    r1 = next(i for i in st["items"] if i["name"] == "relay1")
    check(r1["backend"] == "file" and r1["state"] == "on" and
          r1["last_change"].endswith("Z") and r1["error"] == "",
          "status section io: %r" % r1)
    rc, out, err = D.ctl("io", "set", "temp1", "on")
    check(rc != 0 and "no output" in (out + err), "io set on a sensor refused")
    rc, out, err = D.ctl("io", "set", "relay1", "maybe")
    check(rc != 0, "io set with a bad value refused")
    D.ctl("io", "set", "relay1", "off")


def main():
    global D, SIM, PEER, DIR
    D = Daemon()
    DIR = os.path.join(D.dir, "hw")
    os.mkdir(DIR)
    write("relay", "0\n")
    write("relay2", "1\n")
    write("in1", "0\n")
    write("in2", "0\n")
    write("t1", "21500\n")
    write("w1_slave", W1_GOOD)
    SIM = Sim.start(BUILDDIR, "generic", D.dir)
    PEER = SmsPeer(D, SIM)
    D.write_conf('modem = { device = "%s"; };\n'
                 'thermo = { interval = 1; };\n'
                 'io = {\n'
                 '  outputs = ( { name = "relay1"; file = "%s"; },\n'
                 '              { name = "relay2"; file = "%s";'
                 ' active_low = true; } );\n'
                 '  inputs = ( { name = "in1"; file = "%s"; debounce_ms = 20; },\n'
                 '             { name = "in2"; file = "%s"; } );\n'
                 '  sensors = ( { name = "temp1"; file = "%s"; },\n'
                 '              { name = "temp2"; w1 = "%s"; },\n'
                 '              { name = "slow"; command = [ "%s", "-c",'
                 ' "import os, sys, time; [time.sleep(0.05) for _ in'
                 ' iter(lambda: os.path.exists(sys.argv[2]), True)];'
                 ' print(20)",'
                 ' "cgtest-slow-sensor", "%s" ]; } );\n'
                 '  thermostat_input = "in2";\n'
                 '};\n' % (SIM.link, path("relay"), path("relay2"),
                           path("in1"), path("in2"), path("t1"),
                           path("w1_slave"), sys.executable, path("gate")))
    D.start()
    wait_for(ready, 30, "modem ready")
    D.ctl("passwd", "superadmin", input=SUPER + "\n")
    D.ctl("passwd", "admin", input=ADMIN + "\n")
    D.ctl("phonebook", "add", "1", OWNER, "role=admin",
          "password=not-required", "call=hangup-reply")
    D.ctl("phonebook", "add", "2", P2, "role=user", "password=required")
    D.ctl("phonebook", "add", "3", P3, "role=user", "password=required")
    wait_for(lambda: item("temp1")["value"] == 21.5, 15, "first reading")
    try:
        run_tests(test_commands, test_bad_input, test_input_alarm,
                  test_thermal_alarms, test_fun_a, test_temp_tres,
                  test_sensor_errors, test_w1, test_call_temperature,
                  test_slow_sensor_does_not_block, test_check_config,
                  test_ctl,
                  test_rip_restart, test_startup_sms)
    finally:
        D.cleanup()
        SIM.stop()


if __name__ == "__main__":
    main()
