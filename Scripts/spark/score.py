#!/usr/bin/env python3
"""tagstack predict on Apache Spark: the same model, the same numbers, Parquet in predict's layout.

usage: score.py --model M.json --input PATH --scores DIR --decisions DIR [--master URL] [--binary TAGSTACK]
                [--engine auto|numpy|binary] [--allow-missing] [--overwrite] [--batch-rows N]
                [--writer arrow|spark] [--driver-memory M] [--java-options OPTS] [--timing]
       (python3 Scripts/spark/score.py ... or spark-submit --files tagstack,M.json Scripts/spark/score.py ...)

PATH: a CSV in our layout (ChallengeID then feature columns) or a Parquet dataset with the ChallengeID column and
the model's input columns. DIR: Parquet datasets, ChallengeID (string) then one column per tag in the model's
order: probabilities in --scores, 0/1 in --decisions. Both come from one scoring pass: per Arrow batch, the NumPy
port of the model format (--engine numpy) or one `tagstack predict` call (--engine binary); --engine auto (the
default) takes the binary for a model with trees, NumPy otherwise; see tagstack_spark.
An existing DIR is refused unless --overwrite. Exit 0 success, 1 a refusal (the message names the column), 2 usage.
"""

import argparse
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tagstack_spark as ts  # noqa: E402


# Batches bounded by rows only (--batch-rows: 20,000 rows × 289 doubles is 46 MB). Spark checks a byte limit
# (64 MB by default) after every row it adds to an Arrow batch, summing the sizes of all the batch's column
# buffers each time: a cost per cell, a sixth of the JVM's CPU time on the benchmark's rows (a JFR profile: 10 % of
# the samples; the JVM's CPU for 200,000 rows × 289 columns into mapInArrow 12.5 → 10.4 s, mean of three runs
# each, one session, under load). Spark skips the check when the limit is Int.MaxValue.
NO_BYTE_LIMIT = ("spark.sql.execution.arrow.maxBytesPerBatch", str(2 ** 31 - 1))

# The JVM score.py starts itself (python3 score.py; in local mode the driver is the executor) runs with the
# thresholds of HotSpot's optimising compiler (C2, tier 4) ten times the defaults. At the defaults, Spark's own
# start-up and per-job code (class loading, bytecode generation, task serialisation, Parquet footers) runs often
# enough to be C2-compiled: C2's threads took about 11 CPU s of a JVM that spends about 34 on the benchmark's
# 200,000 rows (/proc samples, under load), more than the compiled code gives back in a job this size. The per-row
# loops pass even the raised thresholds within the first batch, so a long job's steady state keeps its C2 code
# (unlike -XX:TieredStopAtLevel=1, which README "Scoring on Spark" records as slowing it). Figures: README.
# Under spark-submit the JVM is already running: pass these with --driver-java-options (local mode) or
# spark.executor.extraJavaOptions. --java-options '' turns them off.
JIT_OPTIONS = ("-XX:Tier4InvocationThreshold=50000 -XX:Tier4MinInvocationThreshold=6000 "
               "-XX:Tier4CompileThreshold=150000 -XX:Tier4BackEdgeThreshold=400000")


def default_binary():
    here = os.path.dirname(os.path.abspath(__file__))
    for p in (os.environ.get("TAGSTACK_BIN"), os.path.join(here, "..", "..", ".build", "release", "tagstack"), "tagstack"):
        if p and (os.access(p, os.X_OK) or shutil.which(p)):
            return os.path.abspath(p) if os.path.exists(p) else shutil.which(p)
    return None


def parser():
    """score.py's command line (also what Scripts/spark/check.py parses its cases with)."""
    ap = argparse.ArgumentParser(prog="score.py", description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--scores", required=True)
    ap.add_argument("--decisions", required=True)
    ap.add_argument("--master", default=None, help="Spark master (default: spark-submit's, else local[*])")
    ap.add_argument("--binary", default=None, help="the tagstack binary (default: $TAGSTACK_BIN, .build/release/tagstack, PATH)")
    ap.add_argument("--allow-missing", action="store_true")
    ap.add_argument("--overwrite", action="store_true", help="replace existing --scores / --decisions datasets")
    ap.add_argument("--engine", choices=ts.ENGINES, default=ts.DEFAULT_ENGINE,
                    help="numpy: the NumPy port (Scripts/spark/tagstack_numpy.py, the model parsed once per executor "
                    "process); binary: one `tagstack predict` call per batch; auto (the default): the binary for a "
                    "model with trees when a binary is found, else numpy (the faster of the two, measured)")
    ap.add_argument("--batch-rows", type=int, default=20000, help="rows per Arrow batch")
    ap.add_argument("--driver-memory", default="4g", help="the driver's heap when score.py starts Spark itself "
                    "(local mode: the driver is the executor; default 4g; under spark-submit, its --driver-memory)")
    ap.add_argument("--writer", choices=("arrow", "spark"), default="arrow",
                    help="arrow (the default): each task writes both datasets' files itself with pyarrow, one pass, "
                    "nothing cached (a local path or a URI pyarrow opens: hdfs://, s3://, gs://, abfs://); spark: the "
                    "scored DataFrame persisted and written twice by Spark's own Parquet writer (any location Spark writes)")
    ap.add_argument("--java-options", default=JIT_OPTIONS, help="the JVM's options when score.py starts Spark itself "
                    "(default: C2's compile thresholds raised, see JIT_OPTIONS; '' for none; under spark-submit, its "
                    "--driver-java-options)")
    ap.add_argument("--timing", action="store_true", help="print the session start and scoring times on stderr")
    return ap


def main(argv=None):
    a = parser().parse_args(argv)
    try:
        run(a)
    except ts.TagStackError as e:
        print(f"score.py: error: {ts.clear_marker(e)}", file=sys.stderr)
        return 1
    return 0


def run(a):
    engine = a.engine
    binary = a.binary or default_binary()
    if engine == "auto":
        engine = ts.Model(a.model).engine(binary)
    if not binary and engine == "binary":
        raise ts.TagStackError("no tagstack binary: give --binary (built with swift build -c release --static-swift-stdlib --product tagstack)")
    paths = {"--scores": a.scores, "--decisions": a.decisions}
    # Local paths compared with links resolved: an output dataset (a folder --overwrite replaces) must not be,
    # hold or lie inside an input, nor another output (tagstack's PathOptions rule).
    def real(p):
        return None if "://" in p else os.path.realpath(p)

    def overlaps(x, y):
        return x is not None and y is not None and (x == y or x.startswith(y.rstrip("/") + "/") or y.startswith(x.rstrip("/") + "/"))

    if overlaps(real(a.scores), real(a.decisions)):
        raise ts.TagStackError(f"{a.scores}: --scores and --decisions name the same dataset (or one inside the other)")
    for opt, p in paths.items():
        for iopt, ip in (("--input", a.input), ("--model", a.model), ("--binary", binary or a.input)):
            if overlaps(real(p), real(ip)):
                raise ts.TagStackError(f"{p}: {opt} would overwrite or hold the {iopt} {ip}: write the output elsewhere")
        if os.path.exists(p) and not a.overwrite:
            raise ts.TagStackError(f"{p}: exists; give --overwrite to replace it")
    model = ts.Model(a.model)
    started = time.time()
    spark = session(a.master, a.batch_rows, a.driver_memory, a.java_options)
    ready = time.time()
    df = ts.read_input(spark, a.input)
    if a.writer == "arrow":
        # One pass: each task writes its rows' scores and decisions itself (tagstack_spark.score_to_parquet).
        rows = ts.score_to_parquet(df, model, a.scores, a.decisions, binary, allow_missing=a.allow_missing,
                                   where=a.input, engine=engine, overwrite=a.overwrite)
    else:
        rows = write_with_spark(a, df, model, binary, engine)
    if a.timing:
        print(f"score.py: {rows} rows scored in {time.time() - ready:.2f} s after a session start of "
              f"{ready - started:.2f} s", file=sys.stderr)


def write_with_spark(a, df, model, binary, engine):
    """--writer spark: the scored DataFrame persisted, then each layout written by Spark's own Parquet writer
    and committer (for a location pyarrow cannot open). Returns the rows written."""
    from pyspark import StorageLevel
    both = ts.score(df, model, binary, allow_missing=a.allow_missing, where=a.input, engine=engine)
    both = both.persist(StorageLevel.MEMORY_AND_DISK)   # scored once, written twice
    existed = {p: os.path.exists(p) for p in (a.scores, a.decisions)}
    try:
        ts.write(ts.scores_layout(both, model), a.scores, a.overwrite)
        ts.write(ts.decisions_layout(both, model), a.decisions, a.overwrite)
        return both.count()
    except BaseException:
        for p, was in existed.items():  # no half result: the scores without the decisions
            if not was and "://" not in p and os.path.isdir(p):
                shutil.rmtree(p, ignore_errors=True)
        raise
    finally:
        both.unpersist()


def session(master, batch_rows, driver_memory="4g", java_options=JIT_OPTIONS):
    from pyspark.sql import SparkSession
    b = SparkSession.builder.appName("tagstack-score")
    if master:
        b = b.master(master)
    elif "PYSPARK_GATEWAY_PORT" not in os.environ:  # not under spark-submit, which gives the master
        b = b.master("local[*]")
    # Runtime SQL settings: getOrCreate applies them to a session spark-submit already started, too.
    b = b.config("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
    b = b.config(*NO_BYTE_LIMIT)
    b = b.config("spark.ui.showConsoleProgress", "false")
    if "PYSPARK_GATEWAY_PORT" not in os.environ:  # the JVM starts here: its heap can still be set (1g: too small)
        b = b.config("spark.driver.memory", driver_memory)
        if java_options:
            b = b.config("spark.driver.extraJavaOptions", java_options)
    for k, v in ts.NUMPY_ENV.items():  # the Python workers' NumPy calls the C library's exp / log (tagstack_numpy)
        b = b.config("spark.executorEnv." + k, v)
    return b.getOrCreate()


if __name__ == "__main__":
    sys.exit(main())
