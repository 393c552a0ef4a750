"""Scoring a catalogue on Apache Spark with a TagStack model: exactly `tagstack predict`'s numbers.

For users who already hold a SparkSession:

    import tagstack_spark as ts
    both = ts.score(df, "model.json", "tagstack")          # ChallengeID, p_0.., d_0..
    ts.scores_layout(both, model).write.parquet("scores")    # predict's layout: ChallengeID then one column per tag

Inside the executors, `mapInArrow` hands each Arrow batch (as one rows × columns float64 matrix) to one of two
engines (issue 23's designs, both exact, measured side by side in Benchmarks/bench_spark.sh):
- "binary" (design (b)): the `tagstack` binary itself, one `tagstack predict --input X.npy --columns C --scores
  P.npy --decisions D.npy` call per batch (temporary files in the executor's local folder); the binary parses
  the model at each call. Build one that needs only glibc with
  `swift build -c release --static-swift-stdlib --product tagstack`.
- "numpy" (design (a)): `tagstack_numpy`, a NumPy-vectorised port of the model format; the model is parsed
  once per executor Python process (`_SCORERS`, keyed by the model file's content hash).
The files (binary or the NumPy modules, and the model, named by content) are shipped once per executor with
`SparkContext.addFile` / `addPyFile` and found with `SparkFiles`.

Refusals (missing input columns, a column that is not numeric, a null / NaN / infinite cell) are raised as
`TagStackError` naming the column: in the driver before any job where the schema says so, otherwise from the
executor, turned back into a `TagStackError` by `errors()` (used by `write`) instead of a Java stack trace.
"""

import csv
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager

ID_COLUMN = "ChallengeID"
SUPPORTED_FORMAT_VERSIONS = (1, 2, 3, 4)
_MARK = "TAGSTACK-REFUSAL: "


class TagStackError(Exception):
    """A refusal (bad input, bad model), with the message `tagstack predict` would give."""


class Model:
    """What the driver needs from a model file: its tags and input columns (the binary reads the rest)."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        try:
            with open(path, "rb") as f:
                doc = json.loads(f.read().decode("utf-8"))
        except FileNotFoundError:
            raise TagStackError(f"{path}: model file not found") from None
        except (ValueError, UnicodeDecodeError) as e:
            raise TagStackError(f"{path}: malformed model: not valid JSON ({e})") from None
        if not isinstance(doc, dict) or doc.get("format") != "tagstack-model":
            raise TagStackError(f"{path}: malformed model: not a TagStack model (format is not 'tagstack-model')")
        version = doc.get("format_version")
        if version not in SUPPORTED_FORMAT_VERSIONS:
            raise TagStackError(f"{path}: format_version {version} is not supported (this reader: 1 to 4)")
        try:
            self.tags = [str(t) for t in doc["labels"]["tags"]]
            columns = [str(c) for c in doc["input_columns"]]
        except (KeyError, TypeError):
            raise TagStackError(f"{path}: malformed model: missing labels.tags or input_columns") from None
        # "If a name occurs twice, the first occurrence counts" (docs/MODEL_FORMAT.md).
        self.input_columns = list(dict.fromkeys(columns))
        tags = doc.get("tags") if isinstance(doc.get("tags"), list) else []
        self.has_trees = any(isinstance(t, dict) and (t.get("booster") is not None or t.get("path") == "pooled")
                             for t in tags)

    def engine(self, binary=None):
        """The engine `auto` picks: the binary for a model with trees (when `binary` is given), else NumPy."""
        return "binary" if self.has_trees and binary is not None else "numpy"


def _list_names(names, limit=10):
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")


def _quote(name):
    return "`" + name.replace("`", "``") + "`"


def check_input(df, model, id_column=ID_COLUMN, where="input"):
    """Driver-side checks from the schema alone (no job): the ID column and every input column present, input
    columns numeric (or strings, as read from CSV: parsed and checked in the executors)."""
    from pyspark.sql import types as T
    fields = {f.name: f for f in df.schema.fields}
    if id_column not in fields:
        raise TagStackError(f"{where}: no '{id_column}' column (the track IDs)")
    missing = [c for c in model.input_columns if c not in fields]
    if missing:
        raise TagStackError(f"{where}: lacks {len(missing)} column(s) the model needs: {_list_names(missing)}")
    numeric = (T.DoubleType, T.FloatType, T.IntegerType, T.LongType, T.ShortType, T.ByteType, T.DecimalType)
    for c in model.input_columns:
        t = fields[c].dataType
        if not isinstance(t, numeric + (T.StringType,)):
            raise TagStackError(f"{where}: column '{c}' has type {t.simpleString()}; expected numbers (double)")


def staged(path, prefix):
    """A copy of `path` named by its content (`tagstack-model-<sha256>.json`), so that two different files with
    one name never meet in SparkFiles, and the same file is shipped once however often it is scored with."""
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:20]
    folder = os.path.join(tempfile.gettempdir(), "tagstack-spark-files")
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, f"{prefix}-{digest}{os.path.splitext(path)[1]}")
    if not os.path.exists(target):
        tmp = f"{target}.tmp-{os.getpid()}"
        shutil.copy2(path, tmp)
        os.replace(tmp, target)
    return target


def ship(spark, *paths, py=()):
    """Adds files to the job (once per executor); returns their names for SparkFiles. A name already shipped
    is not added again (names come from `staged`: the same name is the same content)."""
    sc = spark.sparkContext
    listed = set()
    try:
        listed = {os.path.basename(str(u)) for u in sc._jsc.sc().listFiles()}
    except Exception:
        pass
    names = []
    if "tagstack_spark.py" not in listed:  # this module, for the function the executors run
        sc.addPyFile(os.path.abspath(__file__.replace(".pyc", ".py")))
        listed.add("tagstack_spark.py")
    for p in py:  # the NumPy engine's modules
        if os.path.basename(p) not in listed:
            sc.addPyFile(os.path.abspath(p))
    for p in paths:
        name = os.path.basename(p)
        if name not in listed:
            sc.addFile(os.path.abspath(p))
        names.append(name)
    return names


def _local(name):
    from pyspark import SparkFiles
    path = SparkFiles.get(name)
    return path if os.path.exists(path) else name


def _refuse(message):
    raise TagStackError(_MARK + message)


def _to_float(series, name, ids, allow_missing=False):
    """A pandas column as float64: numbers as they are, strings (CSV) parsed as predict parses them."""
    import numpy as np
    if series.dtype.kind not in "fiu":  # text (a CSV read by Spark: every cell a string, an empty one null)
        values = np.empty(len(series), dtype=np.float64)
        for i, v in enumerate(series.astype(object).tolist()):
            if v is None or v != v or (isinstance(v, str) and v.strip() == ""):
                if allow_missing:  # predict --allow-missing: an empty cell is a missing value
                    values[i] = np.nan
                    continue
                _refuse(f"empty cell in column '{name}' (ChallengeID '{ids[i]}'); predict refuses it too (use allow_missing)")
            try:
                if isinstance(v, str) and "_" in v:
                    raise ValueError(v)
                values[i] = float(v)
            except ValueError:
                _refuse(f"'{v}' is not a number (column '{name}', ChallengeID '{ids[i]}')")
        return values
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


# NumPy's AVX-512 exp / log differ from the C library's in the last bit for a few percent of arguments; with them
# off, NumPy calls the C library, as Swift's Foundation does (tagstack_numpy.EXACT_LIBM checks it in each worker).
NUMPY_ENV = {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR AVX512F AVX512_SKX AVX512_CLX AVX512_CNL"}
ENGINES = ("auto", "numpy", "binary")
# auto: per model, the engine that scored it faster side by side (Benchmarks/bench_spark.sh, README "Scoring on
# Spark"): the binary for a model with trees (boosted or pooled tags), the NumPy port otherwise.
DEFAULT_ENGINE = "auto"

# The executor side: one parsed model per Python worker process, keyed by the model file's content hash.
_SCORERS = {}


def _numpy_scorer(model_name, digest, model_path):
    scorer = _SCORERS.get(digest)
    if scorer is None:
        import tagstack_numpy as tn
        with open(_local(model_name), "rb") as f:
            data = f.read()
        try:
            scorer = tn.NumpyScorer(data)
        except tn.sm.ModelError as e:
            _refuse(f"{model_path}: {e}")
        _SCORERS.clear()   # one model at a time per process (a long-lived worker scoring many models)
        _SCORERS[digest] = scorer
    return scorer


def _matrix(batch, columns, ids, allow_missing):
    """The batch's model input columns as one rows × columns float64 matrix (C order), checked as predict checks."""
    import numpy as np
    import pyarrow as pa
    n = batch.num_rows
    x = np.empty((n, len(columns)), dtype=np.float64)
    names = batch.schema.names
    for j, c in enumerate(columns):
        col = batch.column(names.index(c))
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            import pandas as pd
            x[:, j] = _to_float(pd.Series(col.to_pylist(), dtype=object), c, ids, allow_missing)
        else:
            if col.null_count:
                col = col.cast(pa.float64()).fill_null(float("nan"))
            x[:, j] = col.to_numpy(zero_copy_only=False)
    bad = ~np.isfinite(x)
    if bad.any():
        for j, c in enumerate(columns):
            colbad = bad[:, j]
            if not colbad.any():
                continue
            i = int(np.argmax(colbad))
            if np.isinf(x[i, j]):
                _refuse(f"infinite value in column '{c}' (ChallengeID '{ids[i]}')")
            if not allow_missing:
                _refuse(f"null or NaN cell in column '{c}' (ChallengeID '{ids[i]}'); "
                        "predict refuses it too (use allow_missing)")
    return x


def _batch_scorer(engine, binary, model, digest, model_path, columns, ntags, id_column, allow_missing):
    """The function mapInArrow runs: each Arrow batch scored by the NumPy port (engine "numpy", the model parsed
    once per worker process) or by one `tagstack predict` call (engine "binary")."""

    def run(batches):
        import numpy as np
        import pyarrow as pa
        work = None
        try:
            if engine == "binary":
                exe, model_file = _local(binary), _local(model)
                if not os.access(exe, os.X_OK):
                    _refuse(f"the tagstack binary '{binary}' is not in this executor's SparkFiles (shipped with addFile)")
                work = tempfile.mkdtemp(prefix="tagstack-spark-")
                names = os.path.join(work, "columns.csv")
                with open(names, "w", newline="") as f:
                    csv.writer(f, lineterminator="\n").writerow(columns)
                x_path, p_path, d_path = (os.path.join(work, n) for n in ("x.npy", "p.npy", "d.npy"))
            else:
                scorer = _numpy_scorer(model, digest, model_path)
            for batch in batches:
                if batch.num_rows == 0:
                    continue
                id_col = batch.column(batch.schema.names.index(id_column))
                if id_col.null_count:
                    _refuse(f"null cell in column '{id_column}' (every track needs an ID)")
                ids = id_col  # indexed only to name a row in a refusal
                x = _matrix(batch, columns, _Ids(ids), allow_missing)
                if engine == "binary":
                    np.save(x_path, x)
                    cmd = [exe, "predict", "--model", model_file, "--input", x_path, "--columns", names,
                           "--scores", p_path, "--decisions", d_path, "--npy-decisions", "uint8", "--quiet"]
                    if allow_missing:
                        cmd.append("--allow-missing")
                    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                    if r.returncode != 0:
                        message = r.stderr.decode("utf-8", "replace").strip().replace(x_path, "the batch").replace(model_file, model_path)
                        _refuse(f"tagstack predict refused a batch (exit {r.returncode}): {message}")
                    p, d = np.load(p_path), np.load(d_path)
                else:
                    _, p, d = scorer.score(x)
                p = np.asfortranarray(p)   # each tag's column contiguous: handed to Arrow without a copy
                d = np.asfortranarray(d.view(np.int8))
                arrays = [id_col] + [pa.array(p[:, k]) for k in range(ntags)] + [pa.array(d[:, k]) for k in range(ntags)]
                yield pa.RecordBatch.from_arrays(arrays, names=[id_column] + [f"p_{k}" for k in range(ntags)]
                                                 + [f"d_{k}" for k in range(ntags)])
        finally:
            if work:
                shutil.rmtree(work, ignore_errors=True)

    return run


class _Ids:
    """A batch's ID column, read as Python strings only where a refusal names a row."""

    def __init__(self, col):
        self.col = col

    def __getitem__(self, i):
        return self.col[int(i)].as_py()


def score(df, model, binary=None, id_column=ID_COLUMN, allow_missing=False, where="input", engine=None):
    """DataFrame → DataFrame: `id_column` (string) then `p_0 … p_{K-1}` (probabilities, float64) and `d_0 … d_{K-1}`
    (decisions, int8 0/1), K = the model's tags in its order (`scores_layout` / `decisions_layout` name them).
    `model`: a path or a `Model`; `engine`: "numpy" (tagstack_numpy, the model parsed once per executor
    process), "binary" (`binary`, the `tagstack` binary's path, run once per batch) or "auto" (the default:
    `Model.engine`, the binary for a model with trees when `binary` is given, else NumPy). Both ship
    their files with `addFile` / `addPyFile`. Lazy: the refusals from the executors surface when an action runs
    (wrap it in `errors()`)."""
    from pyspark.sql import SparkSession, functions as F, types as T
    if not isinstance(model, Model):
        model = Model(model)
    engine = engine or DEFAULT_ENGINE
    if engine == "auto":
        engine = model.engine(binary)
    if engine not in ENGINES:
        raise TagStackError(f"engine '{engine}': expected one of {', '.join(ENGINES)}")
    if engine == "binary" and (binary is None or not os.access(binary, os.X_OK)):
        raise TagStackError(f"{binary}: not an executable tagstack binary")
    check_input(df, model, id_column, where)
    spark = SparkSession.getActiveSession() or df.sparkSession
    if engine == "numpy":
        _check_model_numpy(model)
        staged_model = staged(model.path, "tagstack-model")
        here = os.path.dirname(os.path.realpath(__file__))
        model_name, = ship(spark, staged_model, py=[os.path.join(here, "tagstack_numpy.py"),
                                                     os.path.join(here, "..", "score_model.py")])
        binary_name = None
        for k, v in NUMPY_ENV.items():
            spark.sparkContext.environment.setdefault(k, v)
    else:
        binary_name, model_name = ship(spark, staged(binary, "tagstack"), staged(model.path, "tagstack-model"))
    digest = model_name.split("-")[-1].split(".")[0]
    columns = model.input_columns
    fields = {f.name: f.dataType for f in df.schema.fields}
    picked = [F.col(_quote(id_column)).cast("string").alias(id_column)]
    for c in columns:
        col = F.col(_quote(c))
        picked.append(col if isinstance(fields[c], T.StringType) else col.cast("double").alias(c))
    schema = T.StructType([T.StructField(id_column, T.StringType())]
                          + [T.StructField(f"p_{k}", T.DoubleType()) for k in range(len(model.tags))]
                          + [T.StructField(f"d_{k}", T.ByteType()) for k in range(len(model.tags))])
    return df.select(*picked).mapInArrow(
        _batch_scorer(engine, binary_name, model_name, digest, model.path, columns, len(model.tags), id_column,
                      allow_missing), schema)


def _check_model_numpy(model):
    """The NumPy engine reads the model in the driver first: a model it refuses is refused before any job,
    with TagStackModel's message (Scripts/score_model.py reads as it does)."""
    import tagstack_numpy as tn
    with open(model.path, "rb") as f:
        data = f.read()
    try:
        tn.NumpyScorer(data)
    except tn.sm.ModelError as e:
        raise TagStackError(f"{model.path}: {e}") from None


def scores_layout(both, model, id_column=ID_COLUMN):
    """predict's --scores layout: ID then one probability column per tag, in the model's order."""
    from pyspark.sql import functions as F
    model = model if isinstance(model, Model) else Model(model)
    return both.select(F.col(_quote(id_column)), *[F.col(f"p_{k}").alias(t) for k, t in enumerate(model.tags)])


def decisions_layout(both, model, id_column=ID_COLUMN):
    """predict's --decisions layout: ID then one 0/1 column per tag, in the model's order."""
    from pyspark.sql import functions as F
    model = model if isinstance(model, Model) else Model(model)
    return both.select(F.col(_quote(id_column)), *[F.col(f"d_{k}").alias(t) for k, t in enumerate(model.tags)])


def read_input(spark, path, id_column=ID_COLUMN):
    """A CSV in our layout (every cell read as text: IDs stay '0003524', numbers parsed by the scorer exactly
    as predict parses them) or a Parquet dataset."""
    if "://" not in path:
        if not os.path.exists(path):
            raise TagStackError(f"{path}: file not found")
        path = os.path.abspath(path)  # the JVM resolves a relative path against its own folder, not Python's
    if path.lower().endswith(".csv"):
        return (spark.read.option("header", True).option("inferSchema", False).option("multiLine", True)
                .option("escape", '"').option("enforceSchema", False).csv(path))
    return spark.read.parquet(path)


@contextmanager
def errors():
    """Turns a refusal raised in an executor (a Java exception wrapping the Python one) back into TagStackError."""
    try:
        yield
    except TagStackError:
        raise
    except Exception as e:
        text = str(e)
        at = text.find(_MARK)
        if at < 0:
            raise
        message = text[at + len(_MARK):].split("\n")[0].strip()
        raise TagStackError(message) from None


def write(frame, path, overwrite=False):
    """Writes Parquet through Spark's committer (a retried task writes the same files); an existing output is
    refused unless `overwrite`."""
    existed = os.path.exists(path)
    try:
        with errors():
            frame.write.mode("overwrite" if overwrite else "errorifexists").parquet(path)
    except Exception as e:
        if not existed and "://" not in path and os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        if not isinstance(e, TagStackError) and "PATH_ALREADY_EXISTS" in str(e):
            raise TagStackError(f"{path}: exists; give overwrite=True (score.py --overwrite) to replace it") from None
        raise
    except BaseException:
        # A failed job leaves Spark's empty output folder behind: remove it when this call created it.
        if not existed and "://" not in path and os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        raise


def clear_marker(e):
    """The message of a TagStackError without the executor-side marker."""
    text = str(e)
    return text[len(_MARK):] if text.startswith(_MARK) else text
