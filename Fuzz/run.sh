#!/bin/sh
# Builds the libFuzzer harnesses and runs each for FUZZ_SECONDS (default 600), one at a time.
#
#   Fuzz/run.sh [seconds] [harness...]      harnesses: csv labels npy model train (default: all five)
#   FUZZ_BUILD_ONLY=1 Fuzz/run.sh           build only
#
# Each harness is the library sources it exercises compiled together with the harness file by swiftc
# (-sanitize=fuzzer,address): TagStackModel as a module, the TagStack I/O files plus the harness as another.
# Seed corpora live in Fuzz/corpus/<harness>/ (kept in git); inputs libFuzzer finds go to
# .build/fuzz/corpus/<harness>/ (not in git); crashing inputs are written to .build/fuzz/artifacts/.
set -eu
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-${FUZZ_SECONDS:-600}}
[ $# -gt 0 ] && shift
HARNESSES=${*:-csv labels npy model train}
SWIFTC=${SWIFTC:-swiftc}
OUT=.build/fuzz
FLAGS="-sanitize=fuzzer,address -parse-as-library -O -g -swift-version 5 -use-ld=lld -package-name TagStack"
mkdir -p "$OUT/lib" "$OUT/artifacts"
# Swift's crash backtracer misbehaves under ASan (and holds the log pipe open): let libFuzzer report instead.
export SWIFT_BACKTRACE=enable=no

if [ ! -f "$OUT/lib/libTagStackModel.a" ] || [ -n "$(find Sources/TagStackModel -newer "$OUT/lib/libTagStackModel.a")" ] || [ Fuzz/run.sh -nt "$OUT/lib/libTagStackModel.a" ]; then
echo "== building TagStackModel (fuzzer-instrumented)"
$SWIFTC $FLAGS -module-name TagStackModel -emit-module -emit-module-path "$OUT/lib/TagStackModel.swiftmodule" \
    -emit-library -static -o "$OUT/lib/libTagStackModel.a" $(find Sources/TagStackModel -name "*.swift" | sort | tr "\n" " ")
fi

IO="Sources/TagStack/IO/CSVReader.swift Sources/TagStack/IO/NumberParsing.swift Sources/TagStack/IO/DataError.swift \
    Sources/TagStack/IO/MewoIO.swift Sources/TagStack/IO/Tables.swift Sources/TagStack/IO/AtomicFile.swift \
    Sources/TagStack/IO/NPY.swift Sources/TagStack/IO/DataFiles.swift"
for h in $HARNESSES; do
    case $h in
        csv)    srcs="$IO Fuzz/Harnesses/FuzzSupport.swift Fuzz/Harnesses/FuzzCSV.swift"; opts="-max_len=4096" ;;
        labels) srcs="$IO Fuzz/Harnesses/FuzzSupport.swift Fuzz/Harnesses/FuzzLabels.swift"; opts="-max_len=4096" ;;
        npy)    srcs="$IO Fuzz/Harnesses/FuzzNPY.swift"; opts="-max_len=4096" ;;
        model)  srcs="Fuzz/Harnesses/FuzzModel.swift"; opts="-max_len=65536 -dict=Fuzz/model.dict" ;;
        # Training needs the whole library (the stacker reaches every learner).
        train)  srcs="$(find Sources/TagStack -name '*.swift' | sort | tr '\n' ' ') Fuzz/Harnesses/FuzzSupport.swift Fuzz/Harnesses/FuzzTrain.swift"
                opts="-max_len=2048" ;;
        *) echo "unknown harness $h (csv labels npy model train)"; exit 2 ;;
    esac
    echo "== building fuzz-$h"
    # shellcheck disable=SC2086
    $SWIFTC $FLAGS -module-name Fuzz$h -I "$OUT/lib" -L "$OUT/lib" -lTagStackModel $srcs -o "$OUT/fuzz-$h"
    [ -n "${FUZZ_BUILD_ONLY:-}" ] && continue
    mkdir -p "$OUT/corpus/$h"
    echo "== running fuzz-$h for $SECONDS_EACH s"
    # shellcheck disable=SC2086
    nice -n "${FUZZ_NICE:-10}" "$OUT/fuzz-$h" $opts -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$h-" "$OUT/corpus/$h" "Fuzz/corpus/$h" 2>&1 \
        | tee "$OUT/fuzz-$h.log" | grep -E '^#[0-9]+ +(INITED|DONE|pulse)|^stat::|ERROR|SUMMARY|Test unit written' || true
    if grep -q -E 'ERROR: (libFuzzer|AddressSanitizer)|SUMMARY: ' "$OUT/fuzz-$h.log"; then
        echo "fuzz-$h: FOUND A CRASH OR HANG; see $OUT/fuzz-$h.log and $OUT/artifacts/"; exit 1
    fi
done
