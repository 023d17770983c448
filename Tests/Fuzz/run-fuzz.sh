#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets (Sources/Fuzz*) with coverage instrumentation and
# AddressSanitizer in .build-fuzz, runs each for FUZZ_SECONDS on a copy of its seed corpus, and
# prints executions and crashes per target. Exits 1 when any target crashed; a crashing input is
# kept in .build-fuzz/crashes/<target>/ to replay with `.build-fuzz/release/<target> FILE`.
set -euo pipefail
seconds="${FUZZ_SECONDS:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$root/.build-fuzz"
targets=(FuzzLogFormats FuzzPipeline FuzzMeasuredProfile FuzzLengthHistogram)
for target in "${targets[@]}"; do
    PHASECAST_FUZZ=1 swift build --package-path "$root" --scratch-path "$build" -c release --product "$target" >&2
done
failed=0
printf '| target | seconds | executions | coverage | crashes |\n|---|---:|---:|---:|---:|\n'
for target in "${targets[@]}"; do
    corpus="$build/corpus/$target"
    crashes="$build/crashes/$target"
    mkdir -p "$corpus" "$crashes"
    case "$target" in
        FuzzLogFormats) cp "$root"/Tests/Fuzz/corpus/logs/* "$corpus"/ ;;
        FuzzPipeline) cp "$root"/Pipelines/*.toml "$corpus"/ ;;
        FuzzMeasuredProfile)
            find "$root"/Tests/Fixtures/dynamo_profile -name '*.npz' | while read -r file; do
                cp "$file" "$corpus/$(basename "$(dirname "$file")").npz"
            done
            printf 'isl,ttft_ms,prefill_tokens_per_s_per_gpu\n1000,120,9000\ncontext,itl_ms,decode_tokens_per_s_per_gpu\n2000,20,900\n' >"$corpus/profile.csv"
            printf '{"prefill_isl": [1000], "prefill_ttft": [120], "prefill_thpt_per_gpu": [9000]}' >"$corpus/profile.json"
            ;;
        FuzzLengthHistogram)
            # Packed: the version byte, then bucket and LEB128 count pairs; and the JSON form.
            printf '\x01\x03\x02\x50\xac\x02' >"$corpus/packed"
            printf '\x01' >"$corpus/empty"
            printf '{"0":3,"1024":5,"1152":2}' >"$corpus/hour.json"
            ;;
    esac
    log="$build/$target.log"
    status=0
    "$build/release/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1 || status=$?
    runs="$(grep -o 'Done [0-9]* runs' "$log" | awk '{print $2}' | tail -1)"
    coverage="$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{print $2}')"
    found="$(find "$crashes" -type f | wc -l)"
    if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then failed=1; fi
    printf '| %s | %s | %s | %s | %s |\n' "$target" "$seconds" "${runs:-?}" "${coverage:-?}" "$found"
    if [ "$status" -ne 0 ]; then tail -20 "$log" >&2; fi
done
exit "$failed"
