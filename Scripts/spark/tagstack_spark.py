"""Scoring a catalogue on Apache Spark with a TagStack model: exactly `tagstack predict`'s numbers.

For users who already hold a SparkSession:

    import tagstack_spark as ts
    ts.score_to_parquet(df, "model.json", "scores", "decisions", "tagstack")   # predict's two layouts, one pass
    both = ts.score(df, "model.json", "tagstack")          # or a DataFrame: ChallengeID, p_0.., d_0..
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
`score_to_parquet` writes both of predict's layouts from one pass: each task writes its own Parquet files with
pyarrow and renames them into place when its last batch is written (`_batch_writer`); nothing but a row per
task goes back to the JVM, so the 2 × tags scored columns are neither converted to Spark rows nor cached.

In a session of your own, set `spark.sql.execution.arrow.maxBytesPerBatch` to 2147483647 (score.py does): Spark then
skips a size check after every row it adds to an Arrow batch (batches stay bounded by maxRecordsPerBatch).

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


def _scored(batches, engine, binary, model, digest, model_path, columns, id_column, allow_missing):
    """Each Arrow batch scored: yields (ID column, probabilities rows × tags float64, decisions rows × tags int8),
    by the NumPy port (engine "numpy", the model parsed once per worker process) or by one `tagstack predict`
    call (engine "binary")."""
    import numpy as np
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
            x = _matrix(batch, columns, _Ids(id_col), allow_missing)   # the IDs indexed only to name a refused row
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
            yield id_col, p, d.view(np.int8)
    finally:
        if work:
            shutil.rmtree(work, ignore_errors=True)


def _columns(p, d, ntags):
    """A batch's probabilities and decisions as Arrow arrays, one per tag (each tag's column made contiguous
    first, so that Arrow takes it without another copy)."""
    import numpy as np
    import pyarrow as pa
    p, d = np.asfortranarray(p), np.asfortranarray(d)
    return [pa.array(p[:, k]) for k in range(ntags)], [pa.array(d[:, k]) for k in range(ntags)]


def _batch_scorer(engine, binary, model, digest, model_path, columns, ntags, id_column, allow_missing):
    """The function mapInArrow runs for `score`: each batch scored (`_scored`), returned as ID, p_k, d_k."""

    def run(batches):
        import pyarrow as pa
        names = [id_column] + [f"p_{k}" for k in range(ntags)] + [f"d_{k}" for k in range(ntags)]
        for id_col, p, d in _scored(batches, engine, binary, model, digest, model_path, columns, id_column, allow_missing):
            ps, ds = _columns(p, d, ntags)
            yield pa.RecordBatch.from_arrays([id_col] + ps + ds, names=names)

    return run


class _Ids:
    """A batch's ID column, read as Python strings only where a refusal names a row."""

    def __init__(self, col):
        self.col = col

    def __getitem__(self, i):
        return self.col[int(i)].as_py()


def _prepare(df, model, binary, id_column, allow_missing, where, engine):
    """What `score` and `score_to_parquet` share: the driver's checks (schema, model), the files shipped, and
    the input narrowed to the ID and the model's input columns (as doubles; CSV text parsed in the executors).
    Returns (model, the narrowed DataFrame, the arguments of `_scored` after the batches)."""
    from pyspark.sql import SparkSession, types as T
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
    # One selectExpr call (its list crosses to the JVM at once): a Column built per input column costs several
    # py4j round trips each, about 2 s for 289 columns.
    picked = [f"CAST({_quote(id_column)} AS STRING) AS {_quote(id_column)}"]
    picked += [_quote(c) if isinstance(fields[c], T.StringType) or isinstance(fields[c], T.DoubleType)
               else f"CAST({_quote(c)} AS DOUBLE) AS {_quote(c)}" for c in columns]
    return model, df.selectExpr(*picked), (engine, binary_name, model_name, digest, model.path, columns, id_column,
                                           allow_missing)


def score(df, model, binary=None, id_column=ID_COLUMN, allow_missing=False, where="input", engine=None):
    """DataFrame → DataFrame: `id_column` (string) then `p_0 … p_{K-1}` (probabilities, float64) and `d_0 … d_{K-1}`
    (decisions, int8 0/1), K = the model's tags in its order (`scores_layout` / `decisions_layout` name them).
    `model`: a path or a `Model`; `engine`: "numpy" (tagstack_numpy, the model parsed once per executor
    process), "binary" (`binary`, the `tagstack` binary's path, run once per batch) or "auto" (the default:
    `Model.engine`, the binary for a model with trees when `binary` is given, else NumPy). Both ship
    their files with `addFile` / `addPyFile`. Lazy: the refusals from the executors surface when an action runs
    (wrap it in `errors()`). To write predict's two layouts, `score_to_parquet` does it in one pass."""
    from pyspark.sql import types as T
    model, narrow, args = _prepare(df, model, binary, id_column, allow_missing, where, engine)
    engine, binary_name, model_name, digest, path, columns, _, _ = args
    schema = T.StructType([T.StructField(id_column, T.StringType())]
                          + [T.StructField(f"p_{k}", T.DoubleType()) for k in range(len(model.tags))]
                          + [T.StructField(f"d_{k}", T.ByteType()) for k in range(len(model.tags))])
    return narrow.mapInArrow(
        _batch_scorer(engine, binary_name, model_name, digest, path, columns, len(model.tags), id_column,
                      allow_missing), schema)


def _filesystem(location):
    """(pyarrow FileSystem, path in it) for a dataset's location: a local path (made absolute) or a URI that
    pyarrow opens (file://, hdfs:// with libhdfs, s3://, gs://, abfs://)."""
    import pyarrow.fs as pafs
    if "://" not in location:
        return pafs.LocalFileSystem(), os.path.abspath(location)
    return pafs.FileSystem.from_uri(location)


def _exists(fs, path):
    import pyarrow.fs as pafs
    return fs.get_file_info(path).type != pafs.FileType.NotFound


def _layouts(tags, id_column):
    """The Arrow schemas of predict's two layouts: ID (string), then one column per tag, probabilities as
    float64, decisions as int8 0/1."""
    import pyarrow as pa
    return [pa.schema([pa.field(id_column, pa.string())] + [pa.field(t, typ) for t in tags])
            for typ in (pa.float64(), pa.int8())]


# Per layout: Parquet's dictionary encoding for the 0/1 decisions (a bit a cell), not for the probabilities
# (distinct doubles: the dictionary would only cost time); Snappy for both, Spark's default.
_WRITE_OPTIONS = ({"use_dictionary": False, "compression": "snappy"},
                  {"use_dictionary": True, "compression": "snappy"})


def _batch_writer(scored, tags, locations, job):
    """The function mapInArrow runs for `score_to_parquet`: each task scores its batches (`_scored`) and writes
    both layouts itself, one Parquet file per task and layout (a row group per batch), first under
    `_temporary/JOB/`, then renamed to `part-NNNNN.parquet` (NNNNN: the task's partition) when the task's last
    batch is written: a retried or speculative attempt writes the same file again, a failed one leaves only
    its temporary file. Yields one row per task: its partition and rows written."""

    def run(batches):
        import pyarrow as pa
        import pyarrow.parquet as pq
        from pyspark import TaskContext
        ctx = TaskContext.get()
        part, attempt = ctx.partitionId(), ctx.attemptNumber()
        id_column = scored[6]
        targets = []
        for location, schema, options in zip(locations, _layouts(tags, id_column), _WRITE_OPTIONS):
            fs, root = _filesystem(location)
            targets.append({"fs": fs, "schema": schema, "options": options, "writer": None,
                            "tmp": f"{root}/_temporary/{job}/part-{part:05d}-attempt-{attempt}.parquet",
                            "final": f"{root}/part-{part:05d}.parquet"})
        rows = 0
        try:
            for id_col, p, d in _scored(batches, *scored):
                if not pa.types.is_string(id_col.type):
                    id_col = id_col.cast(pa.string())
                for t, cols in zip(targets, _columns(p, d, len(tags))):
                    if t["writer"] is None:
                        t["fs"].create_dir(t["tmp"].rsplit("/", 1)[0], recursive=True)
                        t["writer"] = pq.ParquetWriter(t["tmp"], t["schema"], filesystem=t["fs"], **t["options"])
                    t["writer"].write_batch(pa.RecordBatch.from_arrays([id_col] + cols, schema=t["schema"]))
                rows += len(id_col)
            for t in targets:
                if t["writer"] is not None:
                    t["writer"].close()
                    t["writer"] = None
                    if _exists(t["fs"], t["final"]):   # an earlier attempt's (the same rows): HDFS renames onto nothing
                        t["fs"].delete_file(t["final"])
                    t["fs"].move(t["tmp"], t["final"])
        finally:
            for t in targets:
                if t["writer"] is not None:   # a refusal or a failure mid-task: no renamed file, the temporary one removed
                    t["writer"].close()
                    try:
                        t["fs"].delete_file(t["tmp"])
                    except OSError:
                        pass
        yield pa.RecordBatch.from_arrays([pa.array([part], pa.int32()), pa.array([rows], pa.int64())],
                                         names=["partition", "rows"])

    return run


def score_to_parquet(df, model, scores, decisions, binary=None, id_column=ID_COLUMN, allow_missing=False,
                     where="input", engine=None, overwrite=False):
    """Scores `df` (as `score`) and writes predict's two layouts, `scores` (probabilities) and `decisions` (0/1),
    as Parquet datasets, both from one pass over the data: each task writes its own files with pyarrow
    (`_batch_writer`), the driver then removes the temporary folders and writes `_SUCCESS`. Nothing crosses
    back into the JVM but a row per task, so no scored DataFrame is cached and no row is converted twice.
    An existing dataset is refused unless `overwrite` (then it is removed first, as Spark's overwrite mode
    does); a failed run removes the datasets it created. `scores` / `decisions`: local paths or URIs pyarrow
    opens (`_filesystem`); for others, `score` with Spark's writer (`scores_layout(...).write.parquet`).
    Returns the rows written."""
    import uuid
    try:
        places = [_filesystem(p) for p in (scores, decisions)]
    except (OSError, ValueError, ImportError) as e:
        raise TagStackError(f"{scores}: pyarrow cannot write there ({e}); write with Spark instead "
                            "(score.py --writer spark)") from None
    for (fs, root), name in zip(places, (scores, decisions)):
        if _exists(fs, root) and not overwrite:
            raise TagStackError(f"{name}: exists; give overwrite=True (score.py --overwrite) to replace it")
    model, narrow, args = _prepare(df, model, binary, id_column, allow_missing, where, engine)
    job = uuid.uuid4().hex[:16]
    locations = [p if "://" in p else os.path.abspath(p) for p in (scores, decisions)]
    created = []
    try:
        for fs, root in places:
            if _exists(fs, root):
                fs.delete_dir(root)
            fs.create_dir(root, recursive=True)
            created.append((fs, root))
        with errors():
            done = narrow.mapInArrow(_batch_writer(args, model.tags, locations, job), "partition int, rows long").collect()
        rows = sum(r["rows"] for r in done)
        import pyarrow.parquet as pq
        for (fs, root), schema in zip(places, _layouts(model.tags, id_column)):
            if _exists(fs, root + "/_temporary"):
                fs.delete_dir(root + "/_temporary")
            if rows == 0:   # no rows: one empty file still gives the dataset its schema, as Spark's writer does
                pq.write_table(schema.empty_table(), f"{root}/part-00000.parquet", filesystem=fs)
            with fs.open_output_stream(root + "/_SUCCESS"):
                pass
        return rows
    except BaseException:
        for fs, root in created:   # no half result: the scores without the decisions
            try:
                fs.delete_dir(root)
            except OSError:
                pass
        raise


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
