#!/bin/sh
# tests/fuzz/run_cloud.sh: runs the cloud link's payload checks (sms/send
# JSON, command payloads, cloud.server) over their seed corpus plus the
# driver's generated inputs.
set -e
s=${srcdir:-.}
./tests/fuzz/fuzz_cloud "$s"/tests/fuzz/corpus/cloud/*
