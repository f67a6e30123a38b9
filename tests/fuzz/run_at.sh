#!/bin/sh
# run_at.sh: run the AT-layer fuzz harness over its seed corpus plus the
# driver's mutated inputs (make check; cwd is the build directory).
exec ./tests/fuzz/fuzz_at "$srcdir"/tests/fuzz/corpus/at/*
