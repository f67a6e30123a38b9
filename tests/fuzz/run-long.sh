#!/bin/bash
# tests/fuzz/run-long.sh: a long libFuzzer run of every harness of a
# fuzzing build (configure --enable-fuzzing CC=clang; this script builds
# nothing).  Run it from the top of that build:
#
#   tests/fuzz/run-long.sh MINUTES [NAME...]
#
# Each tests/fuzz/lf_NAME (all of them, or the NAMEs given) runs for
# MINUTES on a copy of its seed corpus tests/fuzz/corpus/NAME (the seeds
# are never written to), with the words of tests/fuzz/dict/NAME.dict if
# there is one, one after the other.  Prints one line per
# harness: its final coverage (cov: edges, ft: features), executions,
# minutes, the edges its grown corpus reaches in the code it targets
# against those instrumented there (tests/fuzz/targets; from a replay
# with -print_coverage=1) and the result; then the target functions it
# never entered, if any.  A crash, leak or undefined behaviour leaves its
# input in the work directory (printed) and makes the exit status 1.
# FUZZ_KEEP=DIR keeps each grown corpus in DIR/NAME.  FUZZ_XFAIL="NAME..."
# names harnesses known to fail (a defect not fixed yet): they run in
# libFuzzer's fork mode, on past each failure; their failures are counted
# as XFAIL and do not change the exit status.
set -u
if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; then
	echo "usage: $0 MINUTES [NAME...]" >&2
	exit 2
fi
minutes=$1
shift
secs=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60); print s < 1 ? 1 : s }')
src=$(cd "$(dirname "$0")" && pwd)	# tests/fuzz of the source tree
bin=$(cd "${FUZZ_BUILD:-.}" && pwd)/tests/fuzz

if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for h in "$bin"/lf_*; do
		[ -f "$h" ] && [ -x "$h" ] && names+=("${h##*/lf_}")
	done
fi
if [ ${#names[@]} -eq 0 ]; then
	echo "$0: no tests/fuzz/lf_* here: run it in a build configured" \
	    "with --enable-fuzzing CC=clang" >&2
	exit 2
fi

# Replay a corpus and sum the edges of the target functions (awk reads
# -print_coverage's "COVERED_FUNC: hits: N edges: A/B NAME PATH:LINE"):
# prints "A B" then the names of the target functions not entered.  An
# input the replay fails on is left out of it (a known defect's seeds).
target_cover() {	# NAME HARNESS CORPUS DIR
	local targets out art f tries=0
	targets=$(awk -v n="$1" '$1 == n { $1 = ""; print }' "$src/targets")
	mkdir -p "$4/replay"
	while :; do
		out=$(cd "$4/replay" && "$2" -runs=0 -print_coverage=1 \
		    -artifact_prefix="$4/replay/" "$3" 2>&1) && break
		art=$(ls "$4"/replay/crash-* "$4"/replay/leak-* \
		    "$4"/replay/timeout-* "$4"/replay/oom-* 2>/dev/null | head -n 1)
		tries=$((tries + 1))
		[ -n "$art" ] && [ $tries -le 20 ] || break
		for f in "$3"/*; do
			cmp -s "$f" "$art" && rm -f "$f"
		done
		rm -f "$art"
	done
	printf '%s\n' "$out" | awk -v targets="$targets" '
	BEGIN {
		nt = split(targets, t, " ")
		for (i = 1; i <= nt; i++) {
			f[i] = t[i]; p[i] = ""
			if ((c = index(t[i], ":")) > 0) {
				f[i] = substr(t[i], 1, c - 1)
				p[i] = substr(t[i], c + 1)
				gsub(/\*/, ".*", p[i]); gsub(/\?/, ".", p[i])
				p[i] = "^" p[i] "$"
			}
		}
	}
	/^(UN)?COVERED_FUNC:/ {
		split($5, e, "/"); path = $7; sub(/:[0-9]+$/, "", path)
		for (i = 1; i <= nt; i++) {
			n = length(f[i])
			if (substr(path, length(path) - n + 1) != f[i] ||
			    (p[i] != "" && $6 !~ p[i]))
				continue
			reached += e[1]; total += e[2]
			if (e[1] == 0 && !(($6) in seen)) {
				seen[$6] = 1; missed = missed " " $6
			}
			break
		}
	}
	END { print reached + 0, total + 0 missed }'
}

work=$(mktemp -d "${TMPDIR:-/tmp}/cellgate-fuzz.XXXXXX")
export LSAN_OPTIONS="suppressions=$src/../lsan.supp:print_suppressions=0"
status=0
printf '%-10s %6s %6s %10s %7s %11s %5s  %s\n' harness cov ft execs minutes target % \
    result
for name in "${names[@]}"; do
	h=$bin/lf_$name
	if ! [ -x "$h" ]; then
		printf '%-10s %6s %6s %10s %7s %11s %5s  %s\n' "$name" - - - - - \
		    - "no such harness"
		status=1
		continue
	fi
	corpus=$work/$name/corpus
	mkdir -p "$corpus"
	cp "$src/corpus/$name"/* "$corpus"/ 2>/dev/null || true
	log=$work/$name/log
	opts=()
	[ -f "$src/dict/$name.dict" ] && opts=(-dict="$src/dict/$name.dict")
	xfail=0
	if [[ " ${FUZZ_XFAIL:-} " == *" $name "* ]]; then
		# a known defect: fuzz on past it (a job per failure)
		xfail=1
		opts+=(-fork=1 -ignore_crashes=1)
	fi
	(cd "$work/$name" && "$h" -max_total_time="$secs" -max_len=4096 \
	    -print_final_stats=1 -artifact_prefix="$work/$name/" \
	    "${opts[@]}" "$corpus" >"$log" 2>&1)
	rc=$?
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
	if [ $rc -eq 0 ]; then
		result=ok
	elif [ $xfail -eq 1 ]; then
		result="XFAIL: $(ls "$work/$name"/crash-* 2>/dev/null |
		    wc -l) failing inputs (known defect)"
	else
		status=1
		art=$(ls "$work/$name"/crash-* "$work/$name"/leak-* \
		    "$work/$name"/timeout-* "$work/$name"/oom-* 2>/dev/null |
		    head -n 1)
		result="FAILED (exit $rc): ${art:-see $log}"
	fi
	read -r reached total missed < <(target_cover "$name" "$h" "$corpus" \
	    "$work/$name")
	pct=-
	[ "${total:-0}" -gt 0 ] && pct=$((100 * reached / total))%
	printf '%-10s %6s %6s %10s %7s %11s %5s  %s\n' "$name" "${cov:--}" \
	    "${ft:--}" "${execs:--}" "$minutes" "${reached:-0}/${total:-0}" \
	    "$pct" "$result"
	[ -z "${missed:-}" ] || echo "           never entered:$(
	    printf ' %s' $missed | cut -c1-200)"
	if [ -n "${FUZZ_KEEP:-}" ]; then
		mkdir -p "$FUZZ_KEEP/$name"
		cp "$corpus"/* "$FUZZ_KEEP/$name"/ 2>/dev/null || true
	fi
done
if [ $status -eq 0 ]; then
	rm -rf "$work"
else
	echo "logs and failing inputs: $work"
fi
exit $status
