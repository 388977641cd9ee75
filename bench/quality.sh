# shellcheck shell=bash
# The quality-score step of the AutoBlog benchmark. Sourced by bench/run.sh (never run on its
# own): it uses run.sh's temp dir ($T), helpers (log, record, die) and traps.
#
# build/quality_bench (Google Benchmark, one thread) scores a 2 000-word Markdown article end to
# end (Markdown reading, textstat counts with a CMU dictionary lookup per word, the Yoast checks)
# and times one dictionary lookup; target <= 1 ms of CPU per article. No services, about 5 s.

QUALITY_GB_MIN_TIME=${BENCH_QUALITY_MIN_TIME:-0.5}
[ -x "$QUALITY_BENCH" ] ||
  die "$QUALITY_BENCH not found — build first (make build; CMake builds it from bench/quality_bench.cpp)"
log "quality_bench: scoring a 2 000-word article, 3 repetitions, min time ${QUALITY_GB_MIN_TIME} s each"
timeout 120 "$QUALITY_BENCH" --benchmark_min_time="$QUALITY_GB_MIN_TIME" --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_format=json \
  --benchmark_out="$T/quality_bench.json" --benchmark_out_format=json \
  >"$T/quality_bench.stdout" 2>"$T/quality_bench.stderr" ||
  die "quality_bench failed (exit $?): $(tail -20 "$T/quality_bench.stderr")"
s=$("${U[@]}" quality "$T/quality_bench.json") || die "could not parse quality_bench output"
echo "$s" >>"$RESULTS"
log "  $(awk -F= '/^quality_words=/{print $2}' <<<"$s") words: $(awk -F= '/^quality_score_cpu_us=/{printf "%.2f ms", $2 / 1000}' <<<"$s") CPU per article; lookup $(awk -F= '/^quality_lookup_ns=/{print $2}' <<<"$s") ns"
