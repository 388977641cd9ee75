# shellcheck shell=bash
# The feed-reading step of the AutoBlog benchmark. Sourced by bench/run.sh after quality.sh
# (never run on its own): it uses run.sh's temp dir ($T), helpers (log, record, die) and traps.
#
# build/feed_bench (Google Benchmark, one thread) parses a 1 MB RSS 2.0 feed and a 1 MB Atom
# feed as trend discovery does (pugixml, then HTML-stripped summaries, dates, resolved links)
# and ranks the RSS feed's entries against a brand; target <= 20 ms per 1 MB feed. No services,
# about 5 s.

FEED_GB_MIN_TIME=${BENCH_FEED_MIN_TIME:-0.5}
FEED_BENCH=${FEED_BENCH:-$BUILD/feed_bench}
[ -x "$FEED_BENCH" ] ||
  die "$FEED_BENCH not found — build first (make build; CMake builds it from bench/feed_bench.cpp)"
log "feed_bench: parsing 1 MB RSS and Atom feeds, 3 repetitions, min time ${FEED_GB_MIN_TIME} s each"
timeout 120 "$FEED_BENCH" --benchmark_min_time="$FEED_GB_MIN_TIME" --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true --benchmark_format=json \
  --benchmark_out="$T/feed_bench.json" --benchmark_out_format=json \
  >"$T/feed_bench.stdout" 2>"$T/feed_bench.stderr" ||
  die "feed_bench failed (exit $?): $(tail -20 "$T/feed_bench.stderr")"
s=$("${U[@]}" feeds "$T/feed_bench.json") || die "could not parse feed_bench output"
echo "$s" >>"$RESULTS"
log "  1 MB RSS: $(awk -F= '/^feed_rss_cpu_ms=/{print $2}' <<<"$s") ms CPU; Atom: $(awk -F= '/^feed_atom_cpu_ms=/{print $2}' <<<"$s") ms; ranking: $(awk -F= '/^feed_rank_cpu_ms=/{print $2}' <<<"$s") ms"
