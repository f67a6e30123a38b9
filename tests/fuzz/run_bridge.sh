#!/bin/sh
# run_bridge.sh: the bridge's fuzz harness over its seed corpus (and the
# standalone driver's mutations of it), run by `make check`.
exec ./tests/fuzz/fuzz_bridge "$srcdir"/tests/fuzz/corpus/bridge/*
