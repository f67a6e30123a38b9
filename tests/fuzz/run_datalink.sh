#!/bin/sh
# run_datalink.sh: the data link's fuzz harness (AT+APN arguments, the
# dialer's answers, the route table) over its seed corpus and the
# standalone driver's mutations of it, run by `make check`.
exec ./tests/fuzz/fuzz_apn "${srcdir:-.}"/tests/fuzz/corpus/apn/*
