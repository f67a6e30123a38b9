#!/usr/bin/env python3
"""bench_torture.py: the long crash torture (tests/integration/torture.py):
ROUNDS rounds of BURST SMS commands each, cellgated SIGKILLed at a random
step of every round and restarted, for several seeds (JOBS of them at a
time); prints one line per seed and the total:

    messages, kills, lost, run twice, replied twice, uncertain,
    uncertain but unsent

Run from a build tree:
    python3 bench/bench_torture.py [--drops N] [--capacity N] [--storage]
        [--jobs N] [ROUNDS [BURST [SEED...]]]
(defaults: 25 rounds x 5 messages, seeds 1 to 8, 2 at a time: a few
minutes).  --drops N: every Nth
round drops the modem's port during a send (USB unplug) instead of the
SIGKILL; kills then counts only the SIGKILLs and the port drops are
printed after the total.  --capacity N: a SIM of N slots.  --storage:
replies sent through the modem's storage (sms.send_via_storage); the
copies marked sent left in storage by a kill are printed after the total.
Targets (not a test threshold): 0 lost, 0 run twice, 0 replied twice,
uncertain <= 1% of replies, 0 uncertain but unsent.  The seeds' lines
come in the order they finish.
"""
import multiprocessing
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
os.environ.setdefault("CG_BUILDDIR", os.getcwd())
from torture import FIELDS, HEADER, Torture, line  # noqa: E402


def run_seed(job):
    """One seed's run (in a worker process): (seed, figures, seconds)."""
    seed, rounds, burst, opts = job
    t0 = time.monotonic()
    t = Torture(os.environ["CG_BUILDDIR"], seed, rounds, burst,
                log=lambda s: None, drop_every=opts["--drops"],
                capacity=opts["--capacity"],
                via_storage=opts["--storage"])
    try:
        r = t.run()
    finally:
        t.close()
    return seed, r, time.monotonic() - t0


def main():
    args = sys.argv[1:]
    opts = {"--drops": 0, "--capacity": None, "--storage": False,
            "--jobs": 2}
    while args and args[0] in opts:
        if args[0] == "--storage":
            opts["--storage"] = True
            args = args[1:]
            continue
        opts[args[0]] = int(args[1])
        args = args[2:]
    rounds = int(args[0]) if len(args) > 0 else 25
    burst = int(args[1]) if len(args) > 1 else 5
    seeds = [int(s) for s in args[2:]] or list(range(1, 9))
    total = dict((f, 0) for f in FIELDS)
    extra = dict(logged_twice=0, unanswered=0, disagree=0, drops=0,
                 copies_left=0, at_prompt=0)
    t0 = time.monotonic()
    print("# %d seeds, %d rounds x %d messages, %d at a time"
          % (len(seeds), rounds, burst, opts["--jobs"]))
    print("seed, " + HEADER + ", seconds")
    jobs = [(seed, rounds, burst, opts) for seed in seeds]
    with multiprocessing.Pool(max(1, opts["--jobs"])) as pool:
        for seed, r, secs in pool.imap_unordered(run_seed, jobs):
            print("%d, %s, %.0f" % (seed, line(r), secs))
            sys.stdout.flush()
            for f in FIELDS:
                total[f] += r[f]
            for f in extra:
                extra[f] += r[f]
    print("total, %s, %.0f" % (line(total), time.monotonic() - t0))
    print("uncertain: %.1f%% of replies (%d of %d), of them never sent "
          "%d; also logged twice %d, unanswered %d, log/list disagree "
          "%d, port drops %d, copies left in storage %d, kills at a "
          "prompt (before the PDU) %d"
          % (100.0 * total["uncertain"] / max(total["messages"], 1),
             total["uncertain"], total["messages"],
             total["uncertain_unsent"],
             extra["logged_twice"], extra["unanswered"], extra["disagree"],
             extra["drops"], extra["copies_left"], extra["at_prompt"]))


if __name__ == "__main__":
    main()
