#!/usr/bin/env python3
"""A fuzzer over tagstack command lines (issue 20's acceptance): random path options drawn from a pool of the
command's inputs, outputs, folders, FIFOs, /dev/stdin, symlinks and hard links to inputs.

    Fuzz/cli_fuzz.py [--seconds 600] [--seed 1] [--timeout 15] [--bin PATH] [--workdir DIR] [--replay N]
    make fuzz-cli FUZZ_SECONDS=600

The binary is --bin, else $TAGSTACK_BIN, else .build/release/tagstack. Python 3 standard library only (the .npy
copies are written by hand). Setup, in a temporary work folder (kept when something fails, so that the printed
command lines reproduce there): `tagstack generate --out pool/d --train 200 --test 80 --seed 1`, two models
(thresholds; gbdt with --rounds 5 --folds 2), decisions and scores of the test rows (.csv and .npy), .npy copies
of X and y, a columns file, a report, an empty file, a binary file, an empty folder and a folder holding a foreign
file, symlinks and hard links to every input, a dangling symlink, a symlink loop, a symlink to a folder, FIFOs
holding inputs' contents, `/dev/stdin`, `/dev/null`, `-` and a missing path.

Each run picks a command (train, predict, evaluate, export, generate) and fills its path options at random:
  input options  any pool entry (often one that fits the option, or an alias of it; sometimes a folder, a FIFO,
                 /dev/stdin or - fed with a fitting content, /dev/null, a missing path), sometimes the same twice;
  output options a new path in the run's scratch folder, or one of this run's inputs (named directly or through a
                 symlink, a hard link or another spelling), /dev/null, /dev/stdout, -, a FIFO, a folder of the pool
                 that holds a foreign file, sometimes the same path as another output.
So a correct CLI changes no pool file: an output over an input must be refused, and no other pool file is ever
named as an output. A FIFO named as an input has a writer (like `cat FILE > FIFO &`: one pass, started per run,
ended with the run); named as an output, a reader that drains it; /dev/stdin and - as inputs read a pipe fed with
a fitting content. So a correct CLI never waits forever either.

After each run: every pool file's sha256 (and the pool's listing, symlink targets) unchanged, exit code 0, 1 or 2
(not a signal, not >= 128), no hang (--timeout seconds), `tagstack: error:` on stderr whenever the exit code is
not 0, no `Fatal error`. A changed pool is restored before the next run. Failures are grouped by a signature and
each printed once with a command line that reproduces it; the last line is `N passed, M failed`; the exit code
is 1 when anything failed. Runs are seeded: `--seed S --replay N` runs run N of seed S alone.
"""

import argparse
import hashlib
import os
import random
import re
import select
import shlex
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time

# ---------------------------------------------------------------------------------------------------- setup


def npy_bytes(rows, dtype="<f8"):
    """A C-order 2-D .npy (format 1.0) of floats, with the standard library only."""
    n, m = len(rows), (len(rows[0]) if rows else 0)
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }" % (dtype, n, m)
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * pad + "\n"
    body = b"".join(struct.pack("<%dd" % m, *r) for r in rows)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + body


def csv_matrix(path):
    import csv
    with open(path, newline="") as f:
        r = list(csv.reader(f))
    return [[float(v) for v in row[1:]] for row in r[1:]]


def run_setup(binary, args, cwd):
    r = subprocess.run([binary] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    if r.returncode != 0:
        sys.exit("setup failed: %s %s\n%s" % (binary, " ".join(args), r.stderr.decode(errors="replace")))


def make_master(binary, master):
    """The files the pool is built from, made once."""
    os.makedirs(master)
    run_setup(binary, ["generate", "--out", "d", "--train", "200", "--test", "80", "--seed", "1"], master)
    run_setup(binary, ["train", "--data", "d", "--model", "m_thr.json", "--learner", "thresholds", "--report",
                       "report.csv", "--quiet"], master)
    run_setup(binary, ["train", "--data", "d", "--model", "m_gb.json", "--learner", "gbdt", "--rounds", "5",
                       "--folds", "2", "--threads", "1", "--quiet"], master)
    run_setup(binary, ["predict", "--model", "m_thr.json", "--input", "d/test_X.csv", "--decisions", "dec.csv",
                       "--scores", "scores.csv", "--quiet"], master)
    run_setup(binary, ["predict", "--model", "m_thr.json", "--input", "d/test_X.csv", "--decisions", "dec.npy",
                       "--scores", "scores.npy", "--quiet"], master)
    for name in ["train_X", "train_y", "test_X", "test_y"]:
        with open(os.path.join(master, name + ".npy"), "wb") as f:
            f.write(npy_bytes(csv_matrix(os.path.join(master, "d", name + ".csv"))))
    with open(os.path.join(master, "d", "test_X.csv"), "rb") as f:
        header = f.readline()
    with open(os.path.join(master, "cols.txt"), "wb") as f:
        f.write(header)
    with open(os.path.join(master, "empty.csv"), "wb"):
        pass
    with open(os.path.join(master, "junk.bin"), "wb") as f:
        f.write(bytes(random.Random(7).randrange(256) for _ in range(3000)))


# Regular files of the pool (relative to pool/), and what each one holds (its "kind").
FILES = {
    "d/labels.csv": "labels", "d/train_X.csv": "train_X", "d/train_y.csv": "train_y",
    "d/train_groups.csv": "groups", "d/test_X.csv": "test_X", "d/test_y.csv": "test_y",
    "d/test_groups.csv": "groups",
    "m_thr.json": "model", "m_gb.json": "model", "report.csv": "report",
    "dec.csv": "decisions", "scores.csv": "scores", "dec.npy": "decisions", "scores.npy": "scores",
    "train_X.npy": "train_X", "train_y.npy": "train_y", "test_X.npy": "test_X", "test_y.npy": "test_y",
    "cols.txt": "columns", "empty.csv": "empty", "junk.bin": "junk",
}
FOLDERS = ["d", "emptydir", "mixdir"]
# FIFOs (pool/fifo/NAME) and the file whose content their writer feeds.
FIFOS = {"x.csv": "d/test_X.csv", "train_x.csv": "d/train_X.csv", "y.csv": "d/train_y.csv",
         "labels.csv": "d/labels.csv", "truth.csv": "d/test_y.csv", "dec.csv": "dec.csv",
         "scores.csv": "scores.csv", "model.json": "m_thr.json", "cols.txt": "cols.txt"}


def build_pool(master, pool):
    """pool/: the master's files, folders, links and FIFOs (rebuilt whenever a run changed it)."""
    if os.path.lexists(pool):
        shutil.rmtree(pool)
    os.makedirs(os.path.join(pool, "d"))
    for rel in FILES:
        shutil.copy2(os.path.join(master, rel), os.path.join(pool, rel))
    os.makedirs(os.path.join(pool, "emptydir"))
    os.makedirs(os.path.join(pool, "mixdir"))
    with open(os.path.join(pool, "mixdir", "notes.md"), "w") as f:
        f.write("a file no tagstack command writes\n")
    links = os.path.join(pool, "links")
    os.makedirs(links)
    for rel in FILES:
        flat = rel.replace("/", "_")
        os.symlink(os.path.join("..", rel), os.path.join(links, "sym_" + flat))
        os.link(os.path.join(pool, rel), os.path.join(links, "hard_" + flat))
    os.symlink("../nowhere.csv", os.path.join(links, "dangling.csv"))
    os.symlink("loop_b", os.path.join(links, "loop_a"))
    os.symlink("loop_a", os.path.join(links, "loop_b"))
    os.symlink("../d", os.path.join(links, "sym_d"))
    os.makedirs(os.path.join(pool, "fifo"))
    for name in FIFOS:
        os.mkfifo(os.path.join(pool, "fifo", name))


def snapshot(pool):
    """Every entry of the pool: regular files by sha256, links by target, FIFOs and folders by type."""
    snap = {}
    for root, dirs, files in os.walk(pool):
        for name in dirs + files:
            p = os.path.join(root, name)
            rel = os.path.relpath(p, pool)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                snap[rel] = "link -> " + os.readlink(p)
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    snap[rel] = "file " + hashlib.sha256(f.read()).hexdigest()
            elif stat.S_ISDIR(st.st_mode):
                snap[rel] = "folder"
            elif stat.S_ISFIFO(st.st_mode):
                snap[rel] = "fifo"
            else:
                snap[rel] = "other %o" % st.st_mode
    return snap


# ---------------------------------------------------------------------------------------------- the commands

# (option, role, kinds that fit it). Roles: in (a file read), dir-in (a folder read), out (a file written),
# dir-out (a folder written).
COMMANDS = {
    "train": [("--data", "dir-in", ["d"]), ("--labels", "in", ["labels"]), ("--train-x", "in", ["train_X"]),
              ("--train-y", "in", ["train_y"]), ("--groups", "in", ["groups"]), ("--columns", "in", ["columns"]),
              ("--model", "out", ".json"), ("--report", "out", ".csv"), ("--html", "out", ".html"),
              ("--importance", "out", ".csv")],
    "predict": [("--model", "in", ["model"]), ("--input", "in", ["test_X"]), ("--columns", "in", ["columns"]),
                ("--decisions", "out", ".csv"), ("--scores", "out", ".csv")],
    "evaluate": [("--truth", "in", ["test_y"]), ("--decisions", "in", ["decisions"]),
                 ("--scores", "in", ["scores"]), ("--labels", "in", ["labels"]), ("--html", "out", ".html"),
                 ("--confusion", "out", ".csv")],
    "export": [("--model", "in", ["model"]), ("--features-for", "in", ["test_X"]), ("--columns", "in", ["columns"]),
               ("--out", "dir-out", "")],
    "generate": [("--out", "dir-out", "")],
}
REQUIRED = {"train": {"--model", "--data"}, "predict": {"--model", "--input", "--decisions"},
            "evaluate": {"--truth", "--decisions"}, "export": {"--model", "--out"}, "generate": {"--out"}}


def check_commands(binary):
    """Every FILE or DIR option in a command's --help is fuzzed here (and nothing else): a new path option that
    this table forgets fails the run at once instead of going unfuzzed."""
    for command, options in COMMANDS.items():
        out = subprocess.run([binary, command, "--help"], capture_output=True, text=True).stdout
        helped = set(re.findall(r"^ +(--[a-z-]+) (?:FILE|DIR)\b", out, flags=re.M))
        fuzzed = {o for o, _, _ in options}
        if helped != fuzzed:
            sys.exit(f"cli_fuzz.py: {command}: the help's path options {sorted(helped)} differ from the fuzzed "
                     f"{sorted(fuzzed)}: update COMMANDS")


def spellings(rel):
    """Other names of pool/rel: the same file through another path."""
    return ["pool/" + rel, "./pool/" + rel, "pool//" + rel, "pool/d/../" + rel, "pool/./" + rel]


class Run:
    """One command line: its arguments, what feeds its FIFOs and stdin, what its outputs alias."""

    def __init__(self, rng, index, scratch):
        self.rng, self.index, self.scratch = rng, index, scratch
        self.args, self.feeds, self.drains, self.stdin_src = [], {}, set(), None
        self.inputs = []          # pool-relative regular files this run reads (named or implied)
        self.input_args = []      # the spellings used for them
        self.out_count = 0

    def fresh(self, ext):
        self.out_count += 1
        sub = "nofolder/" if self.rng.random() < 0.05 else ""
        return os.path.join(self.scratch, "%sout%d%s" % (sub, self.out_count, ext or ""))

    def pick_input(self, kinds, role):
        r = self.rng.random()
        if role == "dir-in":
            choices = ["pool/" + f for f in FOLDERS] + ["pool/links/sym_d", "pool/nowhere", "pool/d/test_X.csv"]
            if r < 0.7:
                return self.rng.choice(["pool/d", "pool/./d", "pool/links/sym_d", "pool/d/"])
            return self.rng.choice(choices)
        fitting = [rel for rel, k in FILES.items() if k in kinds]
        if r < 0.6 and fitting:
            rel = self.rng.choice(fitting)
            self.inputs.append(rel)
            return self.rng.choice(spellings(rel))
        if r < 0.72 and fitting:
            rel = self.rng.choice(fitting)
            self.inputs.append(rel)
            return "pool/links/%s_%s" % (self.rng.choice(["sym", "hard"]), rel.replace("/", "_"))
        # A FIFO or standard input feeds one option only (no CLI can read one pass twice).
        if r < 0.8:
            fifos = [n for n, src in FIFOS.items() if FILES[src] in kinds] or list(FIFOS)
            path = "pool/fifo/" + self.rng.choice(fifos)
            if path not in self.feeds:
                self.feeds[path] = FIFOS[path[len("pool/fifo/"):]]
                return path
        if r < 0.86 and self.stdin_src is None:
            self.stdin_src = self.rng.choice(fitting) if fitting else self.rng.choice(list(FILES))
            return self.rng.choice(["/dev/stdin", "-"])
        if r < 0.86 and fitting:
            rel = self.rng.choice(fitting)
            self.inputs.append(rel)
            return "pool/" + rel
        if r < 0.91:
            return self.rng.choice(["/dev/null", "pool/nowhere.csv", "pool/links/dangling.csv", "pool/links/loop_a"])
        if r < 0.95:
            return self.rng.choice(["pool/" + f for f in FOLDERS] + ["pool/links/sym_d"])
        rel = self.rng.choice(list(FILES))
        self.inputs.append(rel)
        return self.rng.choice(spellings(rel) + ["pool/links/sym_" + rel.replace("/", "_")])

    def pick_output(self, ext, role, outputs):
        r = self.rng.random()
        if outputs and r < 0.05:
            return self.rng.choice(outputs)                       # the same path as another output
        if r < 0.5:
            return self.fresh(ext if role == "out" else "")
        if r < 0.78 and self.inputs:
            rel = self.rng.choice(self.inputs)                    # over one of this run's inputs
            if role == "dir-out" and self.rng.random() < 0.5:
                return "pool/" + (os.path.dirname(rel) or ".")
            return self.rng.choice(spellings(rel) + ["pool/links/sym_" + rel.replace("/", "_"),
                                                     "pool/links/hard_" + rel.replace("/", "_")])
        if r < 0.9:
            return self.rng.choice(["/dev/null", "/dev/stdout", "-", "pool/mixdir", "pool/emptydir/../mixdir"])
        name = self.rng.choice(list(FIFOS))
        path = "pool/fifo/" + name
        if path not in self.feeds:
            self.drains.add(path)
        return path

    def build(self, command):
        rng = self.rng
        opts = COMMANDS[command]
        chosen = []
        for opt, role, fit in opts:
            if opt in REQUIRED[command] and rng.random() < 0.95 or rng.random() < 0.35:
                chosen.append((opt, role, fit))
        rng.shuffle(chosen)
        # Inputs first (outputs may alias them), then the outputs, each in the order drawn.
        values = {}
        for opt, role, fit in chosen:
            if role in ("in", "dir-in"):
                plain = [v for v in values.values() if v not in self.feeds and v not in ("/dev/stdin", "-")]
                if plain and rng.random() < 0.05:
                    values[opt] = rng.choice(plain)             # the same path as another input
                else:
                    values[opt] = self.pick_input(fit, role)
        no_groups = command == "train" and rng.random() < 0.2
        if command == "train":
            # The files --data implies are inputs too (train_groups.csv unless --no-groups or --groups).
            data = values.get("--data")
            implied = {"--labels": "labels.csv", "--train-x": "train_X.csv", "--train-y": "train_y.csv"}
            if not no_groups:
                implied["--groups"] = "train_groups.csv"
            if data is not None and os.path.normpath(data).endswith(("pool/d", "links/sym_d")):
                for opt, name in implied.items():
                    if opt not in values:
                        self.inputs.append("d/" + name)
        outputs = []
        for opt, role, fit in chosen:
            if role in ("out", "dir-out"):
                values[opt] = self.pick_output(fit, role, outputs)
                outputs.append(values[opt])
        self.pairs = [(opt, values[opt]) for opt, role, fit in chosen]
        for opt, value in self.pairs:
            self.args += [opt, value]
        # Non-path options that keep a run short.
        if command == "train":
            self.args += rng.choice([["--learner", "thresholds"], ["--learner", "thresholds", "--folds", "2"],
                                     ["--learner", "logistic", "--folds", "2"],
                                     ["--learner", "gbdt", "--rounds", "3", "--folds", "2"]])
            self.args += ["--threads", "1"]
            if no_groups:
                self.args.append("--no-groups")
            if rng.random() < 0.1:
                self.args.append("--allow-missing")
        elif command == "export":
            self.args = ["--format", "lightgbm"] + self.args
        elif command == "generate":
            self.args += ["--train", str(rng.choice([0, 1, 30])), "--test", str(rng.choice([0, 10])), "--seed", "1"]
        elif command == "evaluate":
            if rng.random() < 0.3:
                self.args.append(rng.choice(["--json", "--per-tag"]))
        if command in ("train", "predict", "export") and rng.random() < 0.5:
            self.args.append("--quiet")
        self.command = command
        # A FIFO named both as an input and an output: its writer (a correct CLI refuses before opening it).
        self.drains -= set(self.feeds)
        return self

    def shell(self, binary, workdir):
        """A shell command line that reproduces the run (FIFO writers and readers as background cat)."""
        parts = ["cd %s &&" % shlex.quote(workdir), "mkdir -p %s &&" % shlex.quote(self.scratch)]
        for path, src in sorted(self.feeds.items()):
            parts.append("(cat pool/%s > %s &) &&" % (shlex.quote(src), shlex.quote(path)))
        for path in sorted(self.drains):
            parts.append("(cat %s > /dev/null &) &&" % shlex.quote(path))
        cmd = " ".join(shlex.quote(a) for a in [binary, self.command] + self.args)
        if self.stdin_src:
            cmd = "cat pool/%s | %s" % (shlex.quote(self.stdin_src), cmd)
        else:
            cmd += " < /dev/null"
        return " ".join(parts + [cmd])


# ------------------------------------------------------------------------------------- FIFO and stdin peers


def feed_fifo(path, content, stop, state, key):
    """Like `cat FILE > FIFO`: waits for a reader, writes the content once, closes. Ends when stopped."""
    state[key] = "waiting"
    fd = None
    while not stop.is_set():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:                         # ENXIO: no reader yet
            time.sleep(0.005)
    if fd is not None:
        write_all(fd, content, stop, state, key)


def drain_fifo(path, stop):
    """Like `cat FIFO > /dev/null`, opened at once so that a writer never waits for a reader."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return
    try:
        while not stop.is_set():
            r, _, _ = select.select([fd], [], [], 0.05)
            if r:
                try:
                    if not os.read(fd, 65536):
                        time.sleep(0.01)        # no writer at the moment
                except BlockingIOError:
                    pass
    finally:
        os.close(fd)


def write_all(fd, content, stop, state, key):
    """Writes content to a non-blocking fd as the reader takes it; stops on EPIPE or when stopped. state[key]:
    waiting (never opened by the CLI), feeding, read to the end, closed early (the CLI closed it first)."""
    state[key] = "feeding"
    view = memoryview(content)
    try:
        while view and not stop.is_set():
            _, w, _ = select.select([], [fd], [], 0.1)
            if w:
                try:
                    view = view[os.write(fd, view[:65536]):]
                except BlockingIOError:
                    pass
        if not view:
            state[key] = "read to the end"
    except OSError:                             # EPIPE: the reader went away
        state[key] = "closed early"
    finally:
        os.close(fd)


def feed_pipe(fd, content, stop, state):
    os.set_blocking(fd, False)
    write_all(fd, content, stop, state, "stdin")


def execute(binary, run, workdir, timeout):
    """Runs one command line with its peers; returns (returncode or None on a hang, stdout bytes, stderr)."""
    os.makedirs(os.path.join(workdir, run.scratch), exist_ok=True)
    stop = threading.Event()
    threads = []
    run.state = {}
    for path, src in run.feeds.items():
        with open(os.path.join(workdir, "pool", src), "rb") as f:
            content = f.read()
        threads.append(threading.Thread(target=feed_fifo, args=(os.path.join(workdir, path), content, stop,
                                                                  run.state, path)))
    for path in run.drains:
        threads.append(threading.Thread(target=drain_fifo, args=(os.path.join(workdir, path), stop)))
    stdin = subprocess.DEVNULL
    if run.stdin_src:
        r, w = os.pipe()
        with open(os.path.join(workdir, "pool", run.stdin_src), "rb") as f:
            threads.append(threading.Thread(target=feed_pipe, args=(w, f.read(), stop, run.state)))
        stdin = r
    for t in threads:
        t.daemon = True
        t.start()
    p = subprocess.Popen([binary, run.command] + run.args, cwd=workdir, stdin=stdin, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    if run.stdin_src:
        os.close(r)
    try:
        out, err = p.communicate(timeout=timeout)
        code = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        code = None
    stop.set()
    for t in threads:
        t.join(timeout=5)
    return code, out, err.decode("utf-8", errors="replace")


# --------------------------------------------------------------------------------------------------- checks


def normalize(line, workdir):
    line = line.replace(workdir, "W")
    line = re.sub(r"/tmp/[^\s':]*", "TMP", line)
    line = re.sub(r"scratch/run\d+/", "scratch/", line)
    line = re.sub(r"\d+", "N", line)
    return line[:160]


def aliases(run, workdir, changed):
    """The options whose value names the changed pool file (directly, through a link, or as its folder)."""
    target = os.path.join(workdir, "pool", changed)
    names = []
    for opt, val in run.pairs:
        full = os.path.join(workdir, val)
        try:
            same = os.path.realpath(full) == os.path.realpath(target) or (
                os.path.exists(full) and os.path.exists(target) and os.path.samefile(full, target))
        except OSError:
            same = False
        inside = os.path.realpath(target).startswith(os.path.realpath(full).rstrip("/") + "/")
        if same or inside:
            names.append(opt)
    return names


def check(run, code, err, before, after, workdir):
    """The failures of one run, each as (signature, detail)."""
    found = []
    fatal = [ln for ln in err.splitlines() if "Fatal error" in ln]
    if code is None:
        # The pipes the CLI had consumed when it hung (it waits for a second pass of one of them), else all.
        ins = {o for o, role, _ in COMMANDS[run.command] if role in ("in", "dir-in")}

        def state(val):
            return run.state.get(val if val in run.feeds else "stdin", "?")
        pipes = [(opt, "FIFO written" if val in run.drains else ("FIFO" if val in run.feeds else val) + " " +
                  state(val)) for opt, val in run.pairs
                 if val in run.feeds or val in run.drains or (val in ("/dev/stdin", "-") and opt in ins)]
        done = [p for p in pipes if p[1].endswith(("read to the end", "closed early"))]
        found.append(("%s: hang (over the timeout), %s" % (run.command, ", ".join(
            "%s %s" % p for p in (done or pipes)) or "no pipe"), "killed after the timeout; pipes: " +
            ", ".join("%s %s" % p for p in pipes)))
    elif code < 0 or code >= 128:
        sig = -code if code < 0 else code - 128
        # Where in TagStack (the first frame of the backtrace in its sources) and the underlying reason.
        frame = re.search(r"in tagstack at \S*/(\w+\.swift):(\d+)", err)
        reason = [q for q in re.findall(r'"([^"]*)"', fatal[0]) if q != "(null)"] if fatal else []
        found.append(("%s: signal %d at %s%s" % (run.command, sig, "%s:%s" % frame.groups() if frame else "?",
                                                  " (%s)" % reason[-1] if reason else ""),
                      "exit %d: %s" % (code, (fatal[0] if fatal else err.strip())[:300])))
    else:
        if code not in (0, 1, 2):
            found.append(("%s: exit code %d" % (run.command, code), err.strip()[:300]))
        if code != 0 and "tagstack: error:" not in err:
            found.append(("%s: exit %d without 'tagstack: error:': %s" % (run.command, code, normalize(
                err.strip().splitlines()[0] if err.strip() else "(empty stderr)", workdir)), err.strip()[:300]))
        if fatal:
            found.append(("%s: %s" % (run.command, normalize(fatal[0], workdir)), err.strip()[:300]))
    if before != after:
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        outs = {o for o, role, _ in COMMANDS[run.command] if role in ("out", "dir-out")}
        for rel in changed:
            what = "removed" if rel not in after else "created" if rel not in before else "changed"
            if what == "created":
                found.append(("%s: a file left in a pool folder (exit %s)" % (run.command, code), "pool/" + rel))
                continue
            opts = [o for o in aliases(run, workdir, rel) if o in outs]
            found.append(("%s: a pool input %s through %s (exit %s)" % (run.command, what, "/".join(opts) or "?",
                                                                       code), "pool/%s %s" % (rel, what)))
    return found


# ------------------------------------------------------------------------------------------------------ main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("FUZZ_SECONDS", 600)))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=15, help="a run longer than this is a hang (default 15 s)")
    ap.add_argument("--bin", default=os.environ.get("TAGSTACK_BIN", ".build/release/tagstack"))
    ap.add_argument("--workdir", help="work folder (default: a new temporary folder)")
    ap.add_argument("--replay", type=int, help="run only run N of this seed, and print it")
    ap.add_argument("--keep", action="store_true", help="keep the work folder even when nothing failed")
    a = ap.parse_args()
    binary = os.path.abspath(a.bin)
    if not os.access(binary, os.X_OK):
        sys.exit("error: %s is not an executable (--bin or TAGSTACK_BIN)" % binary)
    check_commands(binary)
    workdir = os.path.abspath(a.workdir) if a.workdir else tempfile.mkdtemp(prefix="tagstack-cli-fuzz-")
    os.makedirs(workdir, exist_ok=True)
    master, pool = os.path.join(workdir, "master"), os.path.join(workdir, "pool")
    if not os.path.isdir(master):
        print("setting up %s" % workdir, flush=True)
        make_master(binary, master)
    build_pool(master, pool)
    pristine = snapshot(pool)
    failures = {}                           # signature -> [count, first shell line, detail, run index]
    codes = {}                              # (command, exit code) -> runs: how deep the runs go
    passed = failed = 0
    started = time.time()
    index = a.replay if a.replay is not None else 0
    while True:
        if a.replay is None and time.time() - started >= a.seconds:
            break
        rng = random.Random("%d:%d" % (a.seed, index))
        scratch = "scratch/run%d" % index
        run = Run(rng, index, scratch).build(rng.choice(sorted(COMMANDS)))
        code, out, err = execute(binary, run, workdir, a.timeout)
        after = snapshot(pool)
        found = check(run, code, err, pristine, after, workdir)
        codes[(run.command, code)] = codes.get((run.command, code), 0) + 1
        if a.replay is not None:
            print(run.shell(binary, workdir))
            print("exit %s\n%s" % (code, err))
        if found:
            failed += 1
            for sig, detail in found:
                f = failures.setdefault(sig, [0, run.shell(binary, workdir), detail, index])
                f[0] += 1
        else:
            passed += 1
        if after != pristine:
            build_pool(master, pool)
        shutil.rmtree(os.path.join(workdir, scratch), ignore_errors=True)
        for name in set(os.listdir(workdir)) - {"master", "pool", "scratch"}:   # e.g. an output named -
            junk = os.path.join(workdir, name)
            shutil.rmtree(junk) if os.path.isdir(junk) and not os.path.islink(junk) else os.remove(junk)
        if a.replay is not None:
            break
        index += 1
    for sig, (count, line, detail, idx) in sorted(failures.items()):
        print("FAIL %s  [%d run(s); first: --seed %d --replay %d]\n  %s\n  %s" % (sig, count, a.seed, idx, detail,
                                                                               line))
    print("exit codes: " + ", ".join("%s %s: %d" % (c, "hang" if k is None else k, n)
                                     for (c, k), n in sorted(codes.items(), key=lambda x: (x[0][0], str(x[0][1])))))
    if failed:
        print("work folder kept for the command lines above: %s" % workdir)
    elif a.keep or a.workdir:
        print("work folder kept: %s" % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
