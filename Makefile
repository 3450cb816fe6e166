# assessbot — see README.md.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
GO       ?= go
BIN      ?= bin/assessbot
PKGS     ?= ./...
export TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: build run demo demo-teams readme-heatmap readme-chart test test-short bench load lint fuzz redis tidy-check

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/assessbot

## run: the bot. Without REDIS_URL it uses an embedded in-memory Redis.
run: build
	./$(BIN) run

## demo: a whole review on this machine, no Slack and no Redis server, then the same a quarter later for the trend;
## then (without ARGS) the same with twelve people in two teams side by side, whose thread holds a heatmap.
## It writes nothing into the repository: the charts go to a temporary folder it prints.
## ARGS='-framework saas-cs-assessment -respondents 8' for another run (./bin/assessbot demo -h lists the flags).
ARGS ?=
demo: build
	./$(BIN) demo $(ARGS)
	@if [ -z "$(ARGS)" ]; then echo; echo "━━━━ The same review with twelve people in two teams, side by side (make demo-teams) ━━━━"; ./$(BIN) demo -respondents 12 -teams; fi

## demo-teams: the demo with twelve respondents in two user groups compared side by side (`by`): a heatmap in the thread.
demo-teams: build
	./$(BIN) demo -respondents 12 -teams $(ARGS)

## readme-heatmap: redraw docs/heatmap.png, the README's heatmap: the first digest's of the seeded teams demo.
readme-heatmap: build
	@d=$$(mktemp -d) && ./$(BIN) demo -seed 1 -respondents 12 -teams -out "$$d" >/dev/null && cp "$$d/review-1-heatmap.png" docs/heatmap.png && rm -rf "$$d" && echo "docs/heatmap.png redrawn"

## readme-chart: redraw docs/chart.png, the README's picture: the second digest's chart of the seeded demo.
readme-chart: build
	@d=$$(mktemp -d) && ./$(BIN) demo -seed 1 -out "$$d" >/dev/null && cp "$$d/review-2-chart.png" docs/chart.png && rm -rf "$$d" && echo "docs/chart.png redrawn"

## test: every test with the race detector; starts a Redis server if none answers.
test: redis
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 15m $(PKGS)

## bench: the Go micro-benchmarks, then the whole-bot load run (about 4 minutes; see BENCHMARKS.md).
bench: redis
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./internal/scoring/ ./internal/store/
	$(MAKE) --no-print-directory load

## load: assessbot-load: the real bot, fakeslack and Redis in one process; answer path, fan-out, digest, memory, start-up.
## LOAD_FLAGS='-json load.json -profile-dir prof' keeps the figures and CPU/heap profiles.
LOAD_FLAGS ?=
load: redis
	$(GO) run ./cmd/assessbot-load $(LOAD_FLAGS)

## fuzz: each fuzzer for FUZZTIME (default 60s); the seed corpora also run in `make test`.
FUZZTIME ?= 60s
FUZZERS = internal/slackbot/handlers:FuzzParseCommand internal/slackbot/handlers:FuzzInteractionPayload \
	internal/framework:FuzzParse internal/answersheet:FuzzRead internal/schedule:FuzzParse \
	internal/schedule:FuzzParseReminders internal/schedule:FuzzParseDuration internal/blocktext:FuzzRender
fuzz:
	@for f in $(FUZZERS); do pkg=$${f%%:*}; name=$${f##*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) ./$$pkg/ 2>&1 | tail -3 || exit 1; done

## chaos: the long reliability suite: the chaos and crash tests many times over.
CHAOS_ROUNDS ?= 200
chaos: redis
	CHAOS_ROUNDS=$(CHAOS_ROUNDS) $(GO) test -race -count=1 -timeout 60m -v -run 'Chaos|Replicas|ClusterReview|SentinelReview|FailoverThroughTheBot' ./cmd/assessbot/ 2>&1 | grep -E '^(---|=== RUN|ok|FAIL|PASS)|chaos_test|e2e_schedule|e2e_failover'
	FAILOVER_ROUNDS=5 $(GO) test -race -count=1 -timeout 20m -v -run 'TestFailover' ./internal/store/ 2>&1 | grep -E '^(---|ok|FAIL|PASS)|failover_test'
	$(GO) test -race -count=10 -timeout 60m -v -run 'TestKill|TestRedisOutage|TestFanout|TestDuplicate|TestForged|TestNoAnswer|TestFlood|TestStopDrains|TestSubmitAcked' ./cmd/assessbot/ 2>&1 | grep -E '^(---|ok|FAIL|PASS)|crash_test'

## lint: go vet, gofmt, no tracked binaries or files over 1 MB (.ci/tracked-files), and govulncheck when the tool and its database can be reached (one line says so when not).
GOVULNCHECK ?= golang.org/x/vuln/cmd/govulncheck@v1.9.0
UNREACHABLE = dial tcp|no such host|connection refused|i/o timeout|TLS handshake|proxyconnect|lookup disabled|40[34] [A-Z]|410 Gone
lint:
	$(GO) vet $(PKGS)
	@.ci/tracked-files
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1)
	@out=$$($(GO) run $(GOVULNCHECK) $(PKGS) 2>&1); rc=$$?; \
	if [ $$rc -eq 0 ]; then echo "govulncheck: no known vulnerabilities"; \
	elif ! grep -q 'Vulnerability #' <<<"$$out" && why=$$(grep -m1 -E '$(UNREACHABLE)' <<<"$$out"); then \
		echo "govulncheck: skipped, the tool or its vulnerability database cannot be reached: $${why:0:160}"; \
	else echo "$$out"; exit 1; fi

tidy-check:
	$(GO) mod tidy && git diff --exit-code go.mod go.sum

## redis: make sure a Redis server answers at TEST_REDIS_URL's default address.
redis:
	@if [ "$$TEST_REDIS_URL" = "redis://127.0.0.1:6379/0" ] && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
		command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install -y redis-server"; exit 1; }; \
		echo "starting redis-server on 127.0.0.1:6379 (no persistence)"; \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
		for i in $$(seq 50); do redis-cli ping >/dev/null 2>&1 && break; sleep 0.1; done; \
	fi
