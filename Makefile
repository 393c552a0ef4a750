# TagStack — every variable can be overridden: make train DATA=../shared/data/jamendo-moodtheme SEED=7
#
# DATA is one folder, used everywhere: its labels.csv, train_X.csv, train_y.csv, train_groups.csv (when
# present: cross-validation keeps its groups whole), test_X.csv and test_y.csv. Only the default folder
# (Data/) is ever generated (or any folder on an explicit `make data`); another DATA that does not exist is
# an error. Outputs never go into DATA (it may be read-only): models go to Models/, decisions and scores of
# another DATA to out/NAME/ (NAME: the folder's name).
SWIFT      ?= swift
BUILD      ?= release
# BIN=path/to/tagstack uses that binary and skips the build (the Makefile tests do).
BIN        ?= .build/$(BUILD)/tagstack
BENCH_BIN  := .build/release/tagstack-bench

DEFAULT_DATA := Data
DATA       ?= $(DEFAULT_DATA)
NAME       := $(notdir $(abspath $(DATA)))
IS_DEFAULT := $(if $(filter $(abspath $(DATA)),$(abspath $(DEFAULT_DATA))),yes,)
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
FUZZ_SECONDS ?= 600

GROUP_FLAGS := $(if $(filter none,$(GROUPS)),--no-groups,$(if $(GROUPS),--groups $(GROUPS)))

.PHONY: all build data check-data train submit evaluate test bench clean help

all: submit

help:
	@echo "make submit    train $(MODEL) if missing, then write $(DECISIONS) and $(SCORES)"
	@echo "make train     fit $(MODEL) on $(DATA) (its groups too; SEED=$(SEED), TRAIN_FLAGS=...)"
	@echo "make evaluate  score $(DECISIONS) against $(TEST_Y)"
	@echo "make data      generate synthetic data into $(DATA) unless it holds train_X.csv"
	@echo "make test      build and run the test suite"
	@echo "make bench     benchmarks (not part of make test)"

build:
ifeq ($(origin BIN),command line)
	@test -x "$(BIN)" || { echo "error: BIN=$(BIN) is not an executable" >&2; exit 2; }
else
	$(SWIFT) build -c $(BUILD) --product tagstack
endif

# Explicitly asked: generate into DATA (any folder) unless it already holds training data.
data: build
	@if [ -f "$(TRAIN_X)" ]; then echo "$(TRAIN_X) exists: keeping it"; \
	else $(BIN) generate --out $(DATA) --train $(TRAIN_ROWS) --test $(TEST_ROWS) --seed $(SEED); fi

# Before train / submit / evaluate: the default folder is generated when it lacks data; another DATA
# must exist (nothing is created for a mistyped path).
check-data: build
ifeq ($(IS_DEFAULT),yes)
	@if [ ! -f "$(TRAIN_X)" ]; then $(BIN) generate --out $(DATA) --train $(TRAIN_ROWS) --test $(TEST_ROWS) --seed $(SEED); fi
else
	@if [ ! -d "$(DATA)" ]; then echo "error: DATA folder '$(DATA)' does not exist (nothing was generated or written; only the default $(DEFAULT_DATA)/ is generated, or run 'make data DATA=$(DATA)')" >&2; exit 2; fi
endif

train: check-data
	@mkdir -p $(dir $(MODEL))
	$(BIN) train --data $(DATA) --labels $(LABELS) --train-x $(TRAIN_X) --train-y $(TRAIN_Y) $(GROUP_FLAGS) \
		--model $(MODEL) $(if $(LEARNER),--learner $(LEARNER)) --seed $(SEED) $(TRAIN_FLAGS)

submit: check-data
	@if [ ! -f "$(MODEL)" ]; then $(MAKE) --no-print-directory train; fi
	@mkdir -p $(dir $(DECISIONS)) $(dir $(SCORES))
	$(BIN) predict --model $(MODEL) --input $(TEST_X) --decisions $(DECISIONS) --scores $(SCORES)

evaluate: check-data
	@if [ -f "$(TEST_Y)" ]; then $(BIN) evaluate --truth $(TEST_Y) --decisions $(DECISIONS) --scores $(SCORES); \
	else echo "no $(TEST_Y): nothing to evaluate against"; fi

# Tests run on an optimised build (with @testable imports): the stacker and GBDT tests train real models
# and take minutes in a debug build. A separate scratch folder keeps `make build`'s flags untouched.
TEST_SCRATCH ?= .build-test
test:
	$(SWIFT) build -c release --build-tests -Xswiftc -enable-testing --scratch-path $(TEST_SCRATCH)
	$(SWIFT) test -c release --skip-build --scratch-path $(TEST_SCRATCH) --disable-swift-testing

bench:
	$(SWIFT) build -c release --product tagstack
	$(SWIFT) build -c release --product tagstack-bench
	Benchmarks/run.sh

.PHONY: fuzz
fuzz:
	Fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf .build $(TEST_SCRATCH)
