#!/bin/sh
# tests/fuzz/run_core.sh: runs the core parsers' fuzz harnesses (control
# frames, AT-form commands, SMS commands, config files) over their seed corpora plus the
# driver's generated inputs.
set -e
s=${srcdir:-.}
./tests/fuzz/fuzz_ctl "$s"/tests/fuzz/corpus/ctl/*
./tests/fuzz/fuzz_atform "$s"/tests/fuzz/corpus/atform/*
./tests/fuzz/fuzz_smscmd "$s"/tests/fuzz/corpus/smscmd/*
./tests/fuzz/fuzz_lines "$s"/tests/fuzz/corpus/lines/*
FUZZ_ROUNDS=3000 ./tests/fuzz/fuzz_conf "$s"/tests/fuzz/corpus/conf/*
