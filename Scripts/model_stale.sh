#!/bin/sh
# Is make's model up to date with what it was trained on? Called by the Makefile (POSIX sh, no other tools).
#
#   Scripts/model_stale.sh check MODEL DATA LABELS TRAIN_X TRAIN_Y GROUPS FLAGS
#   Scripts/model_stale.sh stamp MODEL DATA LABELS TRAIN_X TRAIN_Y GROUPS FLAGS
#
# GROUPS: empty (DATA/train_groups.csv when present, as `tagstack train --data DATA` does), `none`, or a file.
# FLAGS: the train options other than the files (--learner, --seed, TRAIN_FLAGS), one argument.
#
# The record (stamp) is MODEL.flags, beside the model (never in DATA, which may be read-only): the model's
# checksum, the flags, and for DATA and every input file its physical absolute path (symlinked folders
# resolved) and, for the files, their `cksum` (CRC and size). `stamp` writes it after a successful training,
# only when its content changes. `check` exits
#   0  and prints "using MODEL (trained DATE on DATA: files; flags: FLAGS)" when the record matches: the model
#      is the one make wrote, the flags, DATA and the input paths are the same, every input's content is the
#      same and none is newer than the model (make's own rule: a touched input rebuilds);
#   1  and prints "training MODEL: why" when not (no model, no record, or what differs);
#   2  on a usage error.
# Checking content, not only times, catches another folder moved in under the same name with older files.
# A file that is not a regular file (a FIFO, /dev/stdin) cannot be checked: the model is always retrained.
set -u

usage() { echo "usage: $0 check|stamp MODEL DATA LABELS TRAIN_X TRAIN_Y GROUPS FLAGS" >&2; exit 2; }
[ $# -eq 8 ] || usage
mode=$1 model=$2 data=$3 labels=$4 train_x=$5 train_y=$6 groups=$7 flags=$8
case $mode in check|stamp) ;; *) usage ;; esac
stamp="$model.flags"

# The physical absolute path of $1 (its folder resolved; the name kept), or $1 when its folder is missing.
abspath() {
    d=$(dirname -- "$1") b=$(basename -- "$1")
    if d=$(cd -- "$d" 2>/dev/null && pwd -P); then
        case $b in .|/) printf '%s\n' "$d" ;; ..) (cd -- "$d/.." && pwd -P) ;; *) printf '%s/%s\n' "${d%/}" "$b" ;; esac
    else printf '%s\n' "$1"; fi
}
# "CRC SIZE" of a regular file; "missing" or "not-a-regular-file" otherwise (never read: a FIFO would block).
checksum() {
    if [ -f "$1" ]; then cksum < "$1"
    elif [ -e "$1" ]; then echo "not-a-regular-file -"
    else echo "missing -"; fi
}

# GROUPS resolved as the train command resolves it.
case $groups in
    none) groups_file= ;;
    "") if [ -f "$data/train_groups.csv" ]; then groups_file="$data/train_groups.csv"; else groups_file=; fi ;;
    *) groups_file=$groups ;;
esac

# The record as it would be now, one "key value" line each (the value may hold spaces).
record() {
    echo "# make's record of how the model beside it was trained (Scripts/model_stale.sh); make submit retrains when a line differs"
    printf 'model %s\n' "$(checksum "$model")"
    printf 'flags %s\n' "$flags"
    printf 'data %s\n' "$(abspath "$data")"
    for k in labels train_x train_y groups; do
        case $k in labels) f=$labels ;; train_x) f=$train_x ;; train_y) f=$train_y ;; groups) f=$groups_file ;; esac
        if [ -z "$f" ]; then echo "groups none"; else printf '%s %s %s\n' "$k" "$(checksum "$f")" "$(abspath "$f")"; fi
    done
}

if [ "$mode" = stamp ]; then
    tmp="$stamp.tmp.$$"
    trap 'rm -f "$tmp"' EXIT HUP INT TERM
    record > "$tmp" || exit 1
    if cmp -s "$tmp" "$stamp" 2>/dev/null; then rm -f "$tmp"; else mv -f "$tmp" "$stamp" || exit 1; fi
    exit 0
fi

if [ ! -f "$model" ]; then printf 'training %s: there is no model yet\n' "$model"; exit 1; fi
if [ ! -f "$stamp" ]; then
    printf 'training %s: no record of how it was trained (no %s: not written by make train, or before make kept records)\n' "$model" "$stamp"
    exit 1
fi
when=$(date -r "$model" '+%Y-%m-%d %H:%M %Z' 2>/dev/null || echo "at an unknown time")
old() { sed -n "s/^$1 //p" "$stamp" | head -n 1; }
new=$(record)
now() { printf '%s\n' "$new" | sed -n "s/^$1 //p" | head -n 1; }

why=
add() { why="${why:+$why; }$1"; }
[ "$(old model)" = "$(now model)" ] || add "$model changed since make trained it (written by something else?)"
[ "$(old flags)" = "$(now flags)" ] || add "the flags changed (were: $(old flags); now: $flags)"
[ "$(old data)" = "$(now data)" ] || add "DATA is now $(now data) (was $(old data))"
for k in labels train_x train_y groups; do
    case $k in labels) f=$labels ;; train_x) f=$train_x ;; train_y) f=$train_y ;; groups) f=$groups_file ;; esac
    o=$(old $k) n=$(now $k)
    # "CRC SIZE PATH", or "none" for no groups: compare the path, then the content.
    op=${o#* * } np=${n#* * }
    [ "$o" = none ] && op=none
    [ "$n" = none ] && np=none
    if [ "$op" != "$np" ]; then add "the $k file is now $np (was $op)"
    elif [ -n "$f" ] && [ ! -f "$f" ]; then add "$f is not a regular file: make cannot tell whether it changed"
    elif [ "$o" != "$n" ]; then add "$f changed since $model was trained ($when)"
    elif [ -n "$f" ] && [ "$f" -nt "$model" ]; then add "$f is newer than $model (touched)"
    fi
done
if [ -n "$why" ]; then printf 'training %s: %s\n' "$model" "$why"; exit 1; fi

# Up to date: say which model, trained on what, when. Files in DATA by their names, others by their paths.
dir=$(abspath "$data") files=
for f in "$labels" "$train_x" "$train_y" ${groups_file:+"$groups_file"}; do
    p=$(abspath "$f")
    [ "$(dirname -- "$p")" = "$dir" ] && p=$(basename -- "$p") || p=$f
    files="${files:+$files, }$p"
done
printf 'using %s (trained %s on %s: %s; flags: %s)\n' "$model" "$when" "$data" "$files" "$flags"
exit 0
