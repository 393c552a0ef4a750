# TagStack — every variable can be overridden: make train DATA=../shared/data/jamendo-moodtheme SEED=7
SWIFT      ?= swift
BUILD      ?= release
BIN        := .build/$(BUILD)/tagstack
BENCH_BIN  := .build/release/tagstack-bench

DATA       ?= Data
LABELS     ?= $(DATA)/labels.csv
TRAIN_X    ?= $(DATA)/train_X.csv
TRAIN_Y    ?= $(DATA)/train_y.csv
TEST_X     ?= $(DATA)/test_X.csv
TEST_Y     ?= $(DATA)/test_y.csv
DECISIONS  ?= $(DATA)/test_decisions.csv
SCORES     ?= $(DATA)/test_scores.csv
MODEL      ?= Models/stacker.json
LEARNER    ?= auto
SEED       ?= 1
TRAIN_ROWS ?= 12000
TEST_ROWS  ?= 4000
TRAIN_FLAGS ?=
FUZZ_SECONDS ?= 600

.PHONY: all build data train submit evaluate test bench clean help

all: submit

help:
	@echo "make submit    train if needed, then write $(DECISIONS)"
	@echo "make train     fit $(MODEL) on $(DATA) (LEARNER=$(LEARNER), SEED=$(SEED))"
	@echo "make evaluate  score $(DECISIONS) against $(TEST_Y)"
	@echo "make data      generate synthetic data into $(DATA) unless it holds train_X.csv"
	@echo "make test      build and run the test suite"
	@echo "make bench     benchmarks (not part of make test)"

build:
	$(SWIFT) build -c $(BUILD) --product tagstack

data: build
	@if [ -f "$(TRAIN_X)" ]; then echo "$(TRAIN_X) exists: keeping it"; \
	else $(BIN) generate --out $(DATA) --train $(TRAIN_ROWS) --test $(TEST_ROWS) --seed $(SEED); fi

train: data
	@mkdir -p $(dir $(MODEL))
	$(BIN) train --labels $(LABELS) --train-x $(TRAIN_X) --train-y $(TRAIN_Y) --model $(MODEL) \
		--learner $(LEARNER) --seed $(SEED) $(TRAIN_FLAGS)

submit: data
	@if [ ! -f "$(MODEL)" ]; then $(MAKE) --no-print-directory train; fi
	$(BIN) predict --model $(MODEL) --input $(TEST_X) --decisions $(DECISIONS) --scores $(SCORES)

evaluate: build
	@if [ -f "$(TEST_Y)" ]; then $(BIN) evaluate --truth $(TEST_Y) --decisions $(DECISIONS) --scores $(SCORES); \
	else echo "no $(TEST_Y): nothing to evaluate against"; fi

# Tests run on an optimised build (with @testable imports): the stacker and GBDT tests train real models
# and take minutes in a debug build. A separate scratch folder keeps `make build`'s flags untouched.
TEST_SCRATCH ?= .build-test
test:
	$(SWIFT) build -c release --build-tests -Xswiftc -enable-testing --scratch-path $(TEST_SCRATCH)
	$(SWIFT) test -c release --skip-build --scratch-path $(TEST_SCRATCH) --disable-swift-testing

bench:
	$(SWIFT) build -c release --product tagstack --product tagstack-bench
	Benchmarks/run.sh

.PHONY: fuzz
fuzz:
	Fuzz/run.sh $(FUZZ_SECONDS)

clean:
	rm -rf .build $(TEST_SCRATCH)
