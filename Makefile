# Social Media Manager — developer entry points. `make` alone prints this list.
#
#   make run     PostgreSQL + Redis + etcd available and provisioned, migrations applied, service on :8080
#   make test    the same bootstrap, then go test -race against those real servers
#
# The SMM_* variables below are defaults: a value set in the environment (or on
# the command line) wins, and the bootstrap provisions whatever they name.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Go from https://go.dev/dl lands in /usr/local/go; find it even when PATH lacks it.
export PATH := $(PATH):/usr/local/go/bin

SMM_DATABASE_URL ?= postgres://smm_app:smm_app@127.0.0.1:5432/smm?sslmode=disable
SMM_DATABASE_OWNER_URL ?= postgres://smm_owner:smm_owner@127.0.0.1:5432/smm?sslmode=disable
SMM_REDIS_URL ?= redis://127.0.0.1:6379
SMM_HTTP_ADDR ?= :8080
SMM_ETCD_ENDPOINTS ?= http://127.0.0.1:2379
export SMM_DATABASE_URL SMM_DATABASE_OWNER_URL SMM_REDIS_URL SMM_HTTP_ADDR SMM_ETCD_ENDPOINTS

BIN := bin/smm
BOOTSTRAP := bash scripts/bootstrap.sh
STATICCHECK_VERSION := v0.8.2
# Extra flags: make test TEST_FLAGS='-run TestX -v' PKG=./persistence/...
PKG ?= ./...
TEST_FLAGS ?=
BENCH_FLAGS ?=

.PHONY: help run test build lint bench generate fmt bootstrap migrate clean

help: ## this list
	@awk 'BEGIN { FS = ":.*## " } /^[a-z][a-z-]*:.*## / { printf "  make %-10s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

bootstrap: ## PostgreSQL >= 15, Redis >= 7 and etcd >= 3.4 answering, roles and database provisioned, protoc present
	@$(BOOTSTRAP)

run: ## bootstrap, build, migrate, then serve on $SMM_HTTP_ADDR (:8080)
	@$(BOOTSTRAP)
	@$(MAKE) --no-print-directory build
	$(BIN) migrate up
	exec $(BIN) serve

test: ## bootstrap, build, migrate, go test -race -count=1 ./..., then the bench's multi-member smoke without -race
	@$(BOOTSTRAP) --race
	@$(MAKE) --no-print-directory build
	$(BIN) migrate up
	go test -race -count=1 -timeout 30m $(TEST_FLAGS) $(PKG)
	@# Several protoactor members in one process race inside protoactor-go
	@# itself: these tests are built without -race (cmd/smmbench/members_test.go).
	if [[ "$(PKG)" == ./... ]]; then go test -count=1 -timeout 30m $(TEST_FLAGS) -run AcrossMembers ./cmd/smmbench; fi

build: ## go build -o bin/smm ./cmd/smm
	@$(BOOTSTRAP) --go-only >/dev/null
	go build -o $(BIN) ./cmd/smm

migrate: build ## apply pending migrations (bin/smm migrate up)
	$(BIN) migrate up

lint: ## go vet ./... + staticcheck (pinned: STATICCHECK_VERSION)
	@$(BOOTSTRAP) --go-only >/dev/null
	go vet ./...
	go run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

bench: ## bootstrap, migrate, then go run ./cmd/smmbench (results into docs/benchmarks.md)
	@$(BOOTSTRAP)
	@$(MAKE) --no-print-directory build
	$(BIN) migrate up
	go run ./cmd/smmbench -out docs/benchmarks.md $(BENCH_FLAGS)

generate: ## protobuf + grain code of actors/ at pinned tool versions, then go generate ./...
	bash scripts/generate.sh
	go generate ./...

fmt: ## gofmt -s -w on every Go file
	gofmt -s -l -w .

clean: ## remove build outputs (bin/, coverage); never touches databases
	rm -rf bin/ coverage.out coverage.html
