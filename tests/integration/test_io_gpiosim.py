"""test_io_gpiosim.py: the gpio backend on the kernel's gpio-sim (a
simulated GPIO chip made through configfs): an output requested by chip
name and by path follows `cellgatectl io set`, an input by line name
follows the simulated pull with active_low applied, and a restart with
io.restore keeps the output's value.  Needs root and the gpio-sim module
(/sys/kernel/config/gpio-sim); exits 77 (skipped) where it is missing,
as on this project's CI kernel.
"""
import os
import sys

from cgtest import Daemon, check, run_tests, wait_for

CFS = "/sys/kernel/config/gpio-sim"
NAME = "cgtest%d" % os.getpid()
D = None
CHIP = None
SYS = None


def put(path, value):
    with open(path, "w") as f:
        f.write(value)


def get(path):
    with open(path) as f:
        return f.read().strip()


def make_chip():
    """A chip with 4 lines; line 1 is named "door"."""
    base = os.path.join(CFS, NAME)
    os.mkdir(base)
    os.mkdir(os.path.join(base, "bank0"))
    put(os.path.join(base, "bank0", "num_lines"), "4")
    os.mkdir(os.path.join(base, "bank0", "line1"))
    put(os.path.join(base, "bank0", "line1", "name"), "door")
    put(os.path.join(base, "live"), "1")
    chip = get(os.path.join(base, "bank0", "chip_name"))
    dev = get(os.path.join(base, "dev_name"))
    return chip, os.path.join("/sys/devices/platform", dev, chip)


def remove_chip():
    base = os.path.join(CFS, NAME)
    if not os.path.isdir(base):
        return
    put(os.path.join(base, "live"), "0")
    os.rmdir(os.path.join(base, "bank0", "line1"))
    os.rmdir(os.path.join(base, "bank0"))
    os.rmdir(base)


def item(name):
    return next(i for i in D.ctl_json("io", "list")["items"]
                if i["name"] == name)


def test_output():
    check(get(SYS + "/sim_gpio0/value") == "0", "output starts off")
    check(get(SYS + "/sim_gpio2/value") == "1",
          "active-low output starts off (line high)")
    rc, out, err = D.ctl("io", "set", "relay1", "on")
    check(rc == 0, "io set relay1 on: %s" % err)
    wait_for(lambda: get(SYS + "/sim_gpio0/value") == "1", 5, "line 0 high")
    D.ctl("io", "set", "relay2", "on")
    wait_for(lambda: get(SYS + "/sim_gpio2/value") == "0", 5,
             "active-low output on: line low")


def test_input():
    put(SYS + "/sim_gpio1/pull", "pull-up")
    wait_for(lambda: item("door")["state"] == "off", 5,
             "active-low input idle when pulled up")
    put(SYS + "/sim_gpio1/pull", "pull-down")
    wait_for(lambda: item("door")["state"] == "on", 5,
             "an edge on the request's fd: input active")
    put(SYS + "/sim_gpio1/pull", "pull-up")
    wait_for(lambda: item("door")["state"] == "off", 5, "and idle again")


def test_restart():
    D.ctl("settings", "set", "io.restore", "on")
    check(D.stop() == 0, "clean stop")
    D.start()
    check(get(SYS + "/sim_gpio0/value") == "1",
          "io.restore: the output is on again after the restart")
    check(item("relay1")["state"] == "on", "and reported on")


def main():
    global D, CHIP, SYS
    if os.geteuid() != 0 or not os.path.isdir(CFS):
        print("# skip: no gpio-sim (%s) or not root" % CFS)
        sys.exit(77)
    try:
        CHIP, SYS = make_chip()
    except OSError as e:
        print("# skip: cannot make a gpio-sim chip: %s" % e)
        sys.exit(77)
    D = Daemon()
    D.write_conf('io = {\n'
                 '  outputs = ( { name = "relay1"; gpio = "%s:0"; },\n'
                 '    { name = "relay2"; gpio = "/dev/%s:2"; '
                 'active_low = true; } );\n'
                 '  inputs = ( { name = "door"; gpio = "%s:door"; '
                 'active_low = true; debounce_ms = 10; } );\n'
                 '};\n' % (CHIP, CHIP, CHIP))
    try:
        D.start()
        run_tests(test_output, test_input, test_restart)
    finally:
        D.cleanup()
        remove_chip()


if __name__ == "__main__":
    main()
