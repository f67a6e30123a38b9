"""test_torture.py: the short crash torture (a few rounds; the long one is
bench/bench_torture.py).  SMS bursts through cellgate-modemsim, SIGKILL
of cellgated at a random step of each round (seeded: the seed is printed;
CG_TORTURE_SEED replays one), restart, then a judgement from outside (the
SQLite file read-only, `cellgatectl --json sms list`, the simulator's sent
list): every message logged once, every command run once, every reply out
once or `uncertain`, and a reply is `uncertain` only if its PDU may have
reached the modem: "uncertain but unsent" is at most the number of "> "
prompts the modem gave that got no PDU (a kill between the commit at the
prompt and the PDU's write; a promise, not a threshold).  The figures are
printed.
"""
import os
import random

from cgtest import BUILDDIR, check, run_tests
from torture import HEADER, Torture, line


def test_torture():
    seed = int(os.environ.get("CG_TORTURE_SEED") or
               random.SystemRandom().randrange(1, 1 << 30))
    t = Torture(BUILDDIR, seed, rounds=4, burst=4)
    try:
        r = t.run()
    finally:
        t.close()
    print("# seed %d: %s" % (seed, HEADER))
    print("# seed %d: %s (unanswered %d, at prompt %d)"
          % (seed, line(r), r["unanswered"], r["at_prompt"]))
    check(r["kills"] == 4, "killed with SIGKILL once per round")
    check(r["lost"] == 0, "seed %d: no message lost" % seed)
    check(r["logged_twice"] == 0, "seed %d: no message logged twice" % seed)
    check(r["run_twice"] == 0, "seed %d: no command run twice" % seed)
    check(r["replied_twice"] == 0, "seed %d: no reply sent twice" % seed)
    check(r["uncertain_unsent"] <= r["at_prompt"],
          "seed %d: a reply is uncertain but unsent only if a kill landed "
          "at its prompt, after the commit and before the PDU (%d unsent, "
          "%d prompts without a PDU)"
          % (seed, r["uncertain_unsent"], r["at_prompt"]))
    check(r["unanswered"] == 0,
          "seed %d: every reply sent or uncertain" % seed)
    check(r["disagree"] == 0,
          "seed %d: sms list and the database agree" % seed)


if __name__ == "__main__":
    run_tests(test_torture)
