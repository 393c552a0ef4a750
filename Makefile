# TagStack — every variable can be overridden: make train DATA=../shared/data/jamendo-moodtheme SEED=7
#
# DATA is one folder, used everywhere: its labels.csv, train_X.csv, train_y.csv, train_groups.csv (when
# present: cross-validation keeps its groups whole), test_X.csv and test_y.csv. Only the default folder
# (Data/) is ever generated (or any folder on an explicit `make data`); another DATA that does not exist, or
# that is a file, is an error. Outputs never go into DATA (it may be read-only): models go to Models/,
# decisions and scores of another DATA to out/NAME/ (NAME: the folder's name).
#
# Stale models: `make submit` trains MODEL unless MODEL.flags, the record `make train` writes beside it
# (Scripts/model_stale.sh), shows it was trained by make on the same DATA, LABELS, TRAIN_X, TRAIN_Y and groups
# file (same physical paths, same content by cksum, none newer than the model) with the same flags (LEARNER,
# SEED, TRAIN_FLAGS, GROUPS); it says which model it used, or why it trains. The check is a script, not make
# prerequisites: make cannot hold a path with spaces in a rule, and content (not times) catches another folder
# moved in under the same name. Files named only inside TRAIN_FLAGS (e.g. --columns) are compared as text.
#
# Paths may hold spaces (and quotes): recipes pass every path variable through `sq` (shell single quotes);
# make's path functions (abspath, notdir) split on spaces, so NAME is computed with spaces encoded.
SWIFT      ?= swift
BUILD      ?= release
# BIN=path/to/tagstack uses that binary and skips the build (the Makefile tests do).
BIN        ?= .build/$(BUILD)/tagstack
BENCH_BIN  := .build/release/tagstack-bench

empty :=
space := $(empty) $(empty)
# A path as one shell word: 'it''s' quoted for sh, whatever it holds.
sq = '$(subst ','\'',$(1))'
# Spaces encoded while make's path functions (which split words on spaces) handle a path, then decoded.
enc = $(subst $(space),^:space:^,$(1))
dec = $(subst ^:space:^,$(space),$(1))
eq = $(and $(findstring $(1),$(2)),$(findstring $(2),$(1)))

DEFAULT_DATA := Data
DATA       ?= $(DEFAULT_DATA)
NAME       := $(call dec,$(notdir $(abspath $(call enc,$(DATA)))))
IS_DEFAULT := $(if $(call eq,$(abspath $(call enc,$(DATA))),$(abspath $(DEFAULT_DATA))),yes,)
LABELS     ?= $(DATA)/labels.csv
TRAIN_X    ?= $(DATA)/train_X.csv
TRAIN_Y    ?= $(DATA)/train_y.csv
TEST_X     ?= $(DATA)/test_X.csv
TEST_Y     ?= $(DATA)/test_y.csv
# Empty: DATA/train_groups.csv when present. A file: that groups file. none: plain K-fold.
GROUPS     ?=
OUT        ?= $(if $(IS_DEFAULT),$(DEFAULT_DATA),out/$(NAME))
DECISIONS  ?= $(OUT)/test_decisions.csv
SCORES     ?= $(OUT)/test_scores.csv
MODEL      ?= $(if $(IS_DEFAULT),Models/stacker.json,Models/$(NAME).json)
# Empty: the tool's default (auto). TRAIN_FLAGS may name --learner instead.
LEARNER    ?=
SEED       ?= 1
TRAIN_ROWS ?= 12000
TEST_ROWS  ?= 4000
TRAIN_FLAGS ?=
# make evaluate HTML=page.html also writes the evaluation page (evaluate --html).
HTML       ?=
FUZZ_SECONDS ?= 600

GROUP_FLAGS = $(if $(call eq,none,$(GROUPS)),--no-groups,$(if $(GROUPS),--groups $(call sq,$(GROUPS))))
# The train options other than the files: recorded in MODEL.flags, a change retrains on `make submit`.
TRAIN_OPTS = $(strip $(if $(LEARNER),--learner $(LEARNER)) --seed $(SEED) $(TRAIN_FLAGS))
MODEL_STALE = sh Scripts/model_stale.sh
MODEL_RECORD = $(call sq,$(MODEL)) $(call sq,$(DATA)) $(call sq,$(LABELS)) $(call sq,$(TRAIN_X)) $(call sq,$(TRAIN_Y)) \
	$(call sq,$(GROUPS)) $(call sq,$(TRAIN_OPTS))

.PHONY: all build data check-data train submit evaluate test bench clean help

all: submit

help:
	@echo "make submit    write $(DECISIONS) and $(SCORES) with $(MODEL), trained first when"
	@echo "               missing or stale (its data files, LEARNER, SEED, GROUPS or TRAIN_FLAGS changed)"
	@echo "make train     fit $(MODEL) on $(DATA) (its groups too; SEED=$(SEED), TRAIN_FLAGS=...)"
	@echo "make evaluate  score $(DECISIONS) against $(TEST_Y) (after make submit;"
	@echo "               HTML=page.html also writes the evaluation page)"
	@echo "make data      generate synthetic data into $(DATA) unless it holds train_X.csv"
	@echo "make test      build and run the test suite"
	@echo "make bench     benchmarks (not part of make test)"
	@echo "make fuzz      libFuzzer harnesses over the readers, FUZZ_SECONDS=$(FUZZ_SECONDS) each"
	@echo "make fuzz-cli  random command lines over inputs, outputs, FIFOs, links for FUZZ_SECONDS=$(FUZZ_SECONDS)"

build:
ifeq ($(origin BIN),command line)
	@test -x $(call sq,$(BIN)) || { printf 'error: BIN=%s is not an executable\n' $(call sq,$(BIN)) >&2; exit 2; }
else
	@sh Scripts/build_commit.sh
	$(SWIFT) build -c $(BUILD) --product tagstack
endif

# DATA names a file (e.g. DATA=d/train_X.csv): an error before anything is generated or written.
NOT_A_FILE = if [ -e $(call sq,$(DATA)) ] && [ ! -d $(call sq,$(DATA)) ]; then \
	printf "error: DATA '%s' is a file, not a folder (DATA names the folder holding labels.csv, train_X.csv, train_y.csv, ...; nothing was generated or written)\n" $(call sq,$(DATA)) >&2; exit 2; fi

# Explicitly asked: generate into DATA (any folder) unless it already holds training data.
data: build
	@$(NOT_A_FILE)
	@if [ -f $(call sq,$(TRAIN_X)) ]; then printf '%s exists: keeping it\n' $(call sq,$(TRAIN_X)); \
	else $(call sq,$(BIN)) generate --out $(call sq,$(DATA)) --train $(TRAIN_ROWS) --test $(TEST_ROWS) --seed $(SEED); fi

MISSING_DATA = if [ ! -d $(call sq,$(DATA)) ]; then printf "error: DATA folder '%s' does not exist (nothing was generated or written; only the default $(DEFAULT_DATA)/ is generated, or run 'make data DATA=%s')\n" $(call sq,$(DATA)) $(call sq,$(DATA)) >&2; exit 2; fi

# Before train / submit: the default folder is generated when it lacks data; another DATA
# must exist (nothing is created for a mistyped path).
check-data: build
	@$(NOT_A_FILE)
ifeq ($(IS_DEFAULT),yes)
	@if [ ! -f $(call sq,$(TRAIN_X)) ]; then $(call sq,$(BIN)) generate --out $(call sq,$(DATA)) --train $(TRAIN_ROWS) --test $(TEST_ROWS) --seed $(SEED); fi
else
	@$(MISSING_DATA)
endif

# Always trains, then records how (MODEL.flags, rewritten only when its content changes).
train: check-data
	@mkdir -p "$$(dirname -- $(call sq,$(MODEL)))"
	$(call sq,$(BIN)) train --data $(call sq,$(DATA)) --labels $(call sq,$(LABELS)) --train-x $(call sq,$(TRAIN_X)) \
		--train-y $(call sq,$(TRAIN_Y)) $(GROUP_FLAGS) --model $(call sq,$(MODEL)) $(TRAIN_OPTS)
	@$(MODEL_STALE) stamp $(MODEL_RECORD)

# Trains only when MODEL is missing or stale; says which model it uses, or why it trains.
submit: check-data
	@$(MODEL_STALE) check $(MODEL_RECORD); s=$$?; \
	if [ $$s -eq 1 ]; then $(MAKE) --no-print-directory train || exit $$?; elif [ $$s -ne 0 ]; then exit $$s; fi
	@mkdir -p "$$(dirname -- $(call sq,$(DECISIONS)))" "$$(dirname -- $(call sq,$(SCORES)))"
	$(call sq,$(BIN)) predict --model $(call sq,$(MODEL)) --input $(call sq,$(TEST_X)) --decisions $(call sq,$(DECISIONS)) --scores $(call sq,$(SCORES))

# Before `make submit` there are no decisions to evaluate: say what to run first (exit 2; nothing generated,
# trained or written).
evaluate: build
	@$(NOT_A_FILE)
ifneq ($(IS_DEFAULT),yes)
	@$(MISSING_DATA)
endif
	@if [ ! -f $(call sq,$(DECISIONS)) ]; then \
		printf "error: no decisions at '%s' to evaluate: run 'make submit%s' first (it trains %s when needed and writes the decisions and scores)\n" \
			$(call sq,$(DECISIONS)) $(call sq,$(if $(IS_DEFAULT),, DATA=$(DATA))) $(call sq,$(MODEL)) >&2; exit 2; fi
	@if [ -f $(call sq,$(TEST_Y)) ]; then $(call sq,$(BIN)) evaluate --truth $(call sq,$(TEST_Y)) --decisions $(call sq,$(DECISIONS)) \
		--scores $(call sq,$(SCORES)) $(if $(HTML),--html $(call sq,$(HTML))); \
	else printf 'no %s: nothing to evaluate against\n' $(call sq,$(TEST_Y)); fi

# Tests run on an optimised build (with @testable imports): the stacker and GBDT tests train real models
# and take minutes in a debug build. A separate scratch folder keeps `make build`'s flags untouched.
TEST_SCRATCH ?= .build-test
test:
	@sh Scripts/build_commit.sh
	$(SWIFT) build -c release --build-tests -Xswiftc -enable-testing --scratch-path $(call sq,$(TEST_SCRATCH))
	$(SWIFT) test -c release --skip-build --scratch-path $(call sq,$(TEST_SCRATCH)) --disable-swift-testing

bench:
	@sh Scripts/build_commit.sh
	$(SWIFT) build -c release --product tagstack
	$(SWIFT) build -c release --product tagstack-bench
	Benchmarks/run.sh

.PHONY: fuzz
fuzz:
	Fuzz/run.sh $(FUZZ_SECONDS)

# Command lines (Fuzz/cli_fuzz.py, Python 3 only): random path options drawn from inputs, outputs, folders,
# FIFOs, /dev/stdin, symlinks and hard links to inputs; fails on a changed input, a signal, a hang.
FUZZ_SEED ?= 1
.PHONY: fuzz-cli
fuzz-cli: build
	python3 Fuzz/cli_fuzz.py --seconds $(FUZZ_SECONDS) --seed $(FUZZ_SEED) --bin $(call sq,$(BIN))

clean:
	rm -rf .build $(call sq,$(TEST_SCRATCH))
