# syntax=docker/dockerfile:1
#
# assessbot: a static, non-root image with the frameworks embedded.
#
#   docker build -t assessbot .
#   docker run --rm -e SLACK_BOT_TOKEN=xoxb-… -e SLACK_APP_TOKEN=xapp-… -p 8080:8080 assessbot
#
# Multi-arch: docker buildx build --platform linux/amd64,linux/arm64 -t … .
# (the builder runs natively and cross-compiles; no emulation needed).

# go.mod says `go 1.26.8`. The official golang images set GOTOOLCHAIN=local,
# so the 1.26 image used must be 1.26.8 or newer; pin the patch release with
# --build-arg GO_VERSION=1.26.8 for reproducible builds.
ARG GO_VERSION=1.26

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src

# A module proxy or mirror, and extra go flags, for builds behind a firewall:
#   docker build --build-arg GOPROXY=https://goproxy.example.com,direct \
#                --build-arg GOFLAGS=-buildvcs=false -t assessbot .
# Unset (the default), Go uses proxy.golang.org.
ARG GOPROXY
ARG GOFLAGS

# Dependencies first: this layer is rebuilt only when go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download && go mod verify

COPY . .
ARG TARGETOS TARGETARCH
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags="-s -w" -o /out/assessbot ./cmd/assessbot

# distroless/static: CA certificates and tzdata (schedules use time zones),
# no shell, no package manager. The :nonroot tag runs as uid/gid 65532.
FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=build /out/assessbot /assessbot

# Numeric, so Kubernetes' runAsNonRoot can verify it without /etc/passwd.
USER 65532:65532

# /healthz, /readyz and /metrics (HTTP_ADDR). Slack is reached over an
# outbound Socket Mode websocket, so nothing else listens.
EXPOSE 8080

# No HEALTHCHECK: distroless has no shell, curl or wget to run one, and the
# binary has no health subcommand. docker-compose and Kubernetes probe
# GET /healthz (liveness) and GET /readyz (readiness) on port 8080 instead.

ENTRYPOINT ["/assessbot"]
CMD ["run"]
