#!/usr/bin/env python3
"""The Spark scorer's checks, all in one Python process and one local SparkSession (SparkTests drives it).

usage: check.py SPEC.json      (SPEC written by Tests/TagStackCLITests/SparkTests.swift)

SPEC: {"master": "local[2]", "binary": B, "work": DIR,
       "cases": [{"name", "model", "input" (CSV or Parquet), "scores_ref", "decisions_ref" (predict's CSVs),
                  "engine" (optional: numpy or binary; absent: score.py's default)}],
       "refusals": [{"name", "model", "input", "expect": text the message must contain, optional "scores" /
                     "decisions" / "binary" (paths given instead of the defaults: what they name must be left as it was)}],
       a case with "direct": true is also scored by tagstack_numpy itself, without Spark (result "NAME [numpy direct]"),
       "snippet": {"name", "code", "cwd"} (optional: Python run as written, in cwd)}
Prints one line per check: `RESULT {"name": ..., "ok": true|false, "detail": ...}`.
"""

import csv
import json
import os
import re
import sys
import time
import traceback

# Before NumPy is imported: its exp / log are then the C library's (tagstack_numpy's fast path, checked directly).
for _k, _v in {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR AVX512F AVX512_SKX AVX512_CLX AVX512_CNL"}.items():
    os.environ.setdefault(_k, _v)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score  # noqa: E402
import tagstack_spark as ts  # noqa: E402


def report(name, ok, detail, started):
    print("RESULT " + json.dumps({"name": name, "ok": bool(ok), "detail": detail,
                                  "seconds": round(time.time() - started, 2)}), flush=True)


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], {r[0]: [float(v) for v in r[1:]] for r in rows[1:]}, [r[0] for r in rows[1:]]


def compare(out_dir, ref_path, exact, ids_expected=None):
    import pandas as pd
    header, ref, ref_ids = read_csv(ref_path)
    got = pd.read_parquet(out_dir)
    if list(got.columns) != header:
        return f"columns differ: {list(got.columns)[:4]}... against {header[:4]}..."
    id_values = got[header[0]].tolist()
    if not all(isinstance(i, str) for i in id_values):
        return "ChallengeID is not a string column"
    if len(id_values) != len(ref) or set(id_values) != set(ref):
        return f"{len(id_values)} rows, IDs differ from predict's {len(ref)}"
    if ids_expected is not None and sorted(id_values) != sorted(ids_expected):
        return "IDs changed on the way"
    values = got[header[1:]].to_numpy(dtype="float64")
    worst = 0.0
    for i, rid in enumerate(id_values):
        for a, b in zip(values[i], ref[rid]):
            d = abs(a - b)
            if exact and d != 0:
                return f"decision differs for '{rid}'"
            worst = max(worst, d)
    if worst > 1e-12:
        return f"largest difference {worst}"
    return None, worst


def safe(name):
    """A case's name as a file name Spark reads literally (no glob characters such as '[')."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def to_parquet(c):
    """The case's CSV as Parquet (IDs as strings, numbers read exactly); "bool:COL" makes COL boolean, "null:COL"
    empties one cell of COL."""
    import pandas as pd
    how = c.get("to_parquet")
    if not how:
        return c["input"]
    path = os.path.join(SPEC["work"], "parquet-" + safe(c["name"]) + ".parquet")
    if not os.path.exists(path):
        df = pd.read_csv(c["input"], dtype={"ChallengeID": str}, float_precision="round_trip")
        if isinstance(how, str) and how.startswith("bool:"):
            df[how[5:]] = df[how[5:]] > 0.5
        elif isinstance(how, str) and how.startswith("null:"):
            df.loc[3, how[5:]] = None
        df.to_parquet(path, index=False)
    return path


def args_for(c, out):
    a = ["--model", c["model"], "--input", to_parquet(c), "--scores", c.get("scores", out + "/scores"),
         "--decisions", c.get("decisions", out + "/decisions"), "--binary", c.get("binary", SPEC["binary"])]
    a += ["--engine", c["engine"]] if c.get("engine") else []
    return a + (["--allow-missing"] if c.get("allow_missing") else []) + c.get("extra", [])


def parse(argv):
    """A case's arguments as score.py parses them, with the spec's master and batch size unless the case names its own."""
    return score.parser().parse_args(["--master", SPEC["master"], "--batch-rows", str(SPEC.get("batch_rows", 20000))] + argv)


def run_case(c):
    started = time.time()
    out = os.path.join(SPEC["work"], "out-" + safe(c["name"]))
    try:
        score.run(parse(args_for(c, out)))
        r = compare(out + "/scores", c["scores_ref"], exact=False)
        if isinstance(r, str):
            return report(c["name"], False, "scores: " + r, started)
        worst = r[1]
        r = compare(out + "/decisions", c["decisions_ref"], exact=True)
        if isinstance(r, str):
            return report(c["name"], False, "decisions: " + r, started)
        engine = c.get("engine") or ts.DEFAULT_ENGINE
        if engine == "auto":
            engine = f"auto = {ts.Model(c['model']).engine(SPEC['binary'])}"
        detail = f"engine {engine}: largest score difference {worst}"
        if c.get("rerun"):
            # Idempotent: refused without --overwrite; with it, the same rows again.
            try:
                score.run(parse(args_for(c, out)))
                return report(c["name"], False, "an existing output was replaced without --overwrite", started)
            except ts.TagStackError as e:
                if "--overwrite" not in str(e):
                    return report(c["name"], False, f"unexpected refusal: {e}", started)
            score.run(parse(args_for(c, out) + ["--overwrite"]))
            r = compare(out + "/scores", c["scores_ref"], exact=False)
            if isinstance(r, str):
                return report(c["name"], False, "rerun: " + r, started)
            detail += "; rerun refused without --overwrite, same rows with it"
        report(c["name"], True, detail, started)
    except Exception as e:
        report(c["name"], False, f"{type(e).__name__}: {e}\n{traceback.format_exc()}"[:3000], started)


def run_direct(c):
    """The NumPy port itself (no Spark) on the case's CSV against predict's outputs: every case, whichever engine
    score.py uses by default."""
    import numpy as np
    import tagstack_numpy as tn
    started = time.time()
    name = c["name"] + " [numpy direct]"
    try:
        with open(c["model"], "rb") as f:
            scorer = tn.NumpyScorer(f.read())
        with open(c["input"], newline="") as f:
            rows = list(csv.reader(f))
        first = {}
        for j, h in enumerate(rows[0]):
            first.setdefault(h, j)
        cols = [first[col] for col in scorer.columns]
        x = np.array([[float(r[j]) if r[j].strip() else np.nan for j in cols] for r in rows[1:]], dtype=np.float64)
        ids = [r[0] for r in rows[1:]]
        _, p, d = scorer.score(x)
        _, ref_p, _ = read_csv(c["scores_ref"])
        _, ref_d, _ = read_csv(c["decisions_ref"])
        worst = max(float(np.max(np.abs(p[i] - np.array(ref_p[rid])))) for i, rid in enumerate(ids))
        differ = sum(int(np.sum(d[i] != np.array(ref_d[rid]))) for i, rid in enumerate(ids))
        ok = worst <= 1e-12 and differ == 0
        report(name, ok, f"largest score difference {worst}, {differ} decision(s) differ; exact libm {tn.EXACT_LIBM}",
               started)
    except Exception as e:
        report(name, False, f"{type(e).__name__}: {e}\n{traceback.format_exc()}"[:3000], started)


def run_golden():
    """The NumPy port on every golden model (Tests/TagStackModelTests/Golden: every model kind, the one-label
    stages included) against its expected outputs, written by `tagstack predict --allow-missing`."""
    import glob
    import numpy as np
    import tagstack_numpy as tn
    root = os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "Tests", "TagStackModelTests", "Golden")

    def read(path):
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        return rows[0], np.array([[float(v) if v.strip() not in ("", "nan") else np.nan for v in r[1:]]
                                  for r in rows[1:]], dtype=np.float64)

    models = sorted(glob.glob(os.path.join(root, "*.json")) + glob.glob(os.path.join(root, "v1", "*.json")))
    for m in models:
        started = time.time()
        name = os.path.relpath(m, root)[:-5]
        base = os.path.basename(name)
        try:
            inp = "one_label_input_X.csv" if base.startswith("one-label") else (
                "wide_input_X.csv" if base.startswith("wide") else "input_X.csv")
            header, x = read(os.path.join(root, inp))
            with open(m, "rb") as f:
                scorer = tn.NumpyScorer(f.read())
            first = {}
            for j, h in enumerate(header[1:]):
                first.setdefault(h, j)
            xs = x[:, [first[c] for c in scorer.columns]]
            _, ref_p = read(m[:-5] + ".scores.csv")
            _, ref_d = read(m[:-5] + ".decisions.csv")
            details, ok = [], True
            for how in ("bitvectors", "walked"):   # the trees both ways (Ensemble._walk: trees over 64 leaves)
                trees = scorer.ensembles()
                for e in trees:
                    e.walk = how == "walked"
                _, p, d = scorer.score(xs)
                worst = float(np.max(np.abs(p - ref_p)))
                differ = int(np.sum(d != ref_d))
                ok = ok and worst <= 1e-12 and differ == 0
                details.append(f"{how}: largest score difference {worst}, {differ} decision(s) differ")
                if not trees:
                    break
            report(f"golden {name} [numpy direct]", ok, "; ".join(details), started)
        except Exception as e:
            report(f"golden {name} [numpy direct]", False, f"{type(e).__name__}: {e}"[:2000], started)
    if not models:
        report("golden models [numpy direct]", False, f"no golden model under {root}", time.time())


def fingerprint(path):
    """A file's or folder's content, to see that a refused run left it alone."""
    import hashlib
    h = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(path)) if os.path.isdir(path) else [("", [], [path])]:
        for f in sorted(files):
            with open(os.path.join(root, f), "rb") as fh:
                h.update(f.encode() + fh.read())
    return h.hexdigest() if os.path.exists(path) else None


def run_refusal(c):
    started = time.time()
    out = os.path.join(SPEC["work"], "refused-" + safe(c["name"]))
    before = {p: fingerprint(p) for p in (c.get("scores"), c.get("decisions")) if p and os.path.exists(p)}
    try:
        score.run(parse(args_for(c, out)))
        return report(c["name"], False, "not refused", started)
    except ts.TagStackError as e:
        message = ts.clear_marker(e)
        problems = []
        if c["expect"] not in message:
            problems.append(f"message does not contain {c['expect']!r}")
        if "Traceback" in message or "java." in message or "\tat " in message or len(message.splitlines()) > 1:
            problems.append("message is not one clean line")
        left = [d for d in ("scores", "decisions") if os.path.exists(os.path.join(out, d))]
        if left:
            problems.append(f"left behind: {left}")
        for path, digest in before.items():   # the files an output named: untouched
            if fingerprint(path) != digest:
                problems.append(f"{path} changed")
        report(c["name"], not problems, "; ".join(problems) or message, started)
    except Exception as e:
        report(c["name"], False, f"not a TagStackError: {type(e).__name__}: {str(e)[:1500]}", started)


def run_snippet(s):
    started = time.time()
    here = os.getcwd()
    try:
        os.chdir(s["cwd"])
        exec(compile(s["code"], "README snippet", "exec"), {"__name__": "__snippet__"})
        detail = "ran as written"
        if s.get("scores_ref"):   # what it wrote with score_to_parquet: predict's numbers
            for out, ref, exact in (("out/scores", s["scores_ref"], False), ("out/decisions", s["decisions_ref"], True)):
                r = compare(out, ref, exact)
                if isinstance(r, str):
                    return report(s["name"], False, f"{out}: {r}", started)
            detail += "; its out/scores and out/decisions equal predict's"
        report(s["name"], True, detail, started)
    except Exception as e:
        report(s["name"], False, f"{type(e).__name__}: {str(e)[:1500]}", started)
    finally:
        os.chdir(here)


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        SPEC = json.load(f)
    started = time.time()
    try:
        spark = score.session(SPEC["master"], SPEC.get("batch_rows", 20000))
        spark.sparkContext.setLogLevel("ERROR")
    except Exception as e:
        report("session", False, f"cannot start Spark: {type(e).__name__}: {str(e)[:1000]}", started)
        sys.exit(3)
    # score.py's JVM options (JIT_OPTIONS) must reach the JVM it starts: the options the JVM itself reports.
    jvm_args = list(spark._jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
    missing = [o for o in score.JIT_OPTIONS.split() if o not in jvm_args]
    report("session", not missing, f"Spark {spark.version}; the JVM's options lack {missing}" if missing
           else f"Spark {spark.version}, JVM started with score.JIT_OPTIONS", started)
    for c in SPEC.get("cases", []):
        run_case(c)
        if c.get("direct"):
            run_direct(c)
    run_golden()
    for c in SPEC.get("refusals", []):
        run_refusal(c)
    if SPEC.get("snippet"):
        run_snippet(SPEC["snippet"])
    spark.stop()
