#!/bin/sh
# Byte identity of a tagstack binary's outputs: trains and predicts a fixed set of configurations and prints
# one "sha256  name" line per output file, so two binaries (before and after a refactor) can be compared with
# `diff`. Every output is deterministic: the same data and --seed give the same bytes at any thread count.
# No page or report carries a time, a date or a version, but the HTML pages name their input and output files:
# every command therefore runs inside OUT_DIR with relative paths (the generated data in OUT_DIR/data-generated,
# removed at the end; the shared sets by their absolute path, the same on every run), so the pages of two runs
# into different folders compare byte for byte. The pages of --threads 1 and 2 differ only by those names
# (.t1. / .t2.); models, decisions, scores and reports are the same at both. The train --json summary carries
# seconds and is not written; the summary text on stdout is not hashed either.
#
# Usage: Scripts/byte_identity.sh TAGSTACK_BINARY OUT_DIR
#   OUT_DIR receives, per data set, configuration and thread count, NAME.model.json, NAME.decisions.csv,
#   NAME.scores.csv, NAME.report.csv, NAME.train.html and NAME.evaluate.html, and hashes.txt (the lines
#   printed on stdout). Compare two runs with: diff A/hashes.txt B/hashes.txt
#
# Environment (all optional):
#   TRAIN_ROWS, TEST_ROWS  size of the generated data set (default 12000 / 4000, the Makefile's); e.g.
#                          TRAIN_ROWS=2000 TEST_ROWS=500 for a quick check
#   SEED                   seed of the generated data and of every train run (default 1)
#   SHARED                 folder holding jamendo-moodtheme and jamendo-blend (default /work/shared/data);
#                          a set that is absent is skipped with a message on stderr
#   DATASETS               which data sets, among: generated moodtheme blend (default: all three)
#   CONFIGS                which configurations, among: default pooled gbdt-average folds0 hierarchical
#                          (default: all five)
#   THREADS                thread counts (default: "1 2")
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 TAGSTACK_BINARY OUT_DIR" >&2
    exit 2
fi
BIN=$1
OUT=$2
[ -x "$BIN" ] || { echo "$0: $BIN is not an executable" >&2; exit 2; }
TRAIN_ROWS=${TRAIN_ROWS:-12000}
TEST_ROWS=${TEST_ROWS:-4000}
SEED=${SEED:-1}
SHARED=${SHARED:-/work/shared/data}
DATASETS=${DATASETS:-generated moodtheme blend}
CONFIGS=${CONFIGS:-default pooled gbdt-average folds0 hierarchical}
THREADS=${THREADS:-1 2}

mkdir -p "$OUT"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
cd "$OUT"
trap 'rm -rf data-generated' EXIT INT TERM

# The train flags of a configuration.
flags() {
    case $1 in
        default) echo "" ;;
        pooled) echo "--learner pooled" ;;
        gbdt-average) echo "--learner gbdt --final average" ;;
        folds0) echo "--folds 0" ;;
        hierarchical) echo "--decision hierarchical" ;;
        *) echo "$0: unknown configuration '$1'" >&2; exit 2 ;;
    esac
}

HASHES=hashes.txt
: > "$HASHES"
for set in $DATASETS; do
    case $set in
        generated)
            data=data-generated
            "$BIN" generate --out "$data" --train "$TRAIN_ROWS" --test "$TEST_ROWS" --seed "$SEED" >/dev/null 2>&1
            ;;
        moodtheme|blend)
            data="$SHARED/jamendo-$set"
            if [ ! -d "$data" ]; then
                echo "$0: skipping $set: $data is absent" >&2
                continue
            fi
            ;;
        *) echo "$0: unknown data set '$set'" >&2; exit 2 ;;
    esac
    for config in $CONFIGS; do
        f=$(flags "$config")
        for t in $THREADS; do
            name="$set.$config.t$t"
            p=$name
            # shellcheck disable=SC2086  # $f is a list of flags
            "$BIN" train --data "$data" --model "$p.model.json" --seed "$SEED" --threads "$t" --quiet \
                --report "$p.report.csv" --html "$p.train.html" $f >/dev/null
            "$BIN" predict --model "$p.model.json" --input "$data/test_X.csv" \
                --decisions "$p.decisions.csv" --scores "$p.scores.csv" --quiet
            "$BIN" evaluate --truth "$data/test_y.csv" --decisions "$p.decisions.csv" --scores "$p.scores.csv" \
                --html "$p.evaluate.html" >/dev/null
            for kind in model.json decisions.csv scores.csv report.csv train.html evaluate.html; do
                sha256sum "$name.$kind" | tee -a "$HASHES"
            done
        done
    done
done
