package main

// Benchmarks behind the proposals in BENCHMARKS.md (not run by make test or
// make bench):
//
//	go test -run '^$' -bench . -benchmem ./cmd/assessbot-load/
//
// BenchmarkEnvelopeDecode: one answer click's Socket Mode envelope, decoded
// as slack-go's socketmode does (envelope, then slack.InteractionCallback
// with every block of the clicked message) against a decode of only the
// fields an answer needs. BenchmarkSheetDecode: 10,000 answer sheets of 95
// answers as go-redis returns them, decoded as internal/store does
// (encoding/json per field) against a fast path for {"o":"<id>"…} values.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"
)

// answerEnvelope runs the bot for one respondent up to their first section,
// then clicks an answer on a socket of its own and returns the raw envelope.
func answerEnvelope(b *testing.B) []byte {
	ctx := context.Background()
	fs := newSlack(ctx)
	defer fs.Close()
	users := addPeople(fs, "UP", 1, "CPARSE")
	url := envOr("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
	opt, err := redis.ParseURL(url)
	if err != nil {
		b.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	prefix := "load:bench:" + randHex(4) + ":"
	defer deletePrefix(ctx, rdb, prefix)
	bt, _, err := openBot(ctx, fs, botOptions{redisURL: url, prefix: prefix, logs: io.Discard, workers: 4})
	if err != nil {
		b.Fatalf("%v (is Redis running at %s?)", err, url)
	}
	if _, err := fs.SlashCommand(ctx, admin, leads, "/review", "start cs-excellence to <#CPARSE|p> digest <#CLEADS|x> due 3d now"); err != nil {
		b.Fatal(err)
	}
	rs, err := openSections(ctx, fs, users, 1)
	if err != nil {
		b.Fatal(err)
	}
	bt.close()

	req, _ := http.NewRequest(http.MethodPost, fs.APIURL()+"apps.connections.open", strings.NewReader(""))
	req.Header.Set("Authorization", "Bearer "+fs.AppToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var open struct{ URL string }
	_ = json.NewDecoder(resp.Body).Decode(&open)
	resp.Body.Close()
	ws, _, err := websocket.DefaultDialer.Dial(open.URL, http.Header{"Origin": {"https://api.slack.com"}})
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _, _ = fs.Click(cctx, users[0], rs[0].msg, rs[0].actions[0], "") }()
	for {
		_, m, err := ws.ReadMessage()
		if err != nil {
			b.Fatal(err)
		}
		if strings.Contains(string(m), `"envelope_id"`) {
			return m
		}
	}
}

func BenchmarkEnvelopeDecode(b *testing.B) {
	env := answerEnvelope(b)
	b.Logf("envelope of an answer click: %d bytes", len(env))
	b.Run("slack-go", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			var e struct {
				EnvelopeID string          `json:"envelope_id"`
				Payload    json.RawMessage `json:"payload"`
			}
			if err := json.Unmarshal(env, &e); err != nil {
				b.Fatal(err)
			}
			var cb slack.InteractionCallback
			if err := json.Unmarshal(e.Payload, &cb); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("slim", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			var e struct {
				EnvelopeID string `json:"envelope_id"`
				Type       string `json:"type"`
				Payload    struct {
					Type string `json:"type"`
					User struct {
						ID string `json:"id"`
					} `json:"user"`
					Channel struct {
						ID string `json:"id"`
					} `json:"channel"`
					ResponseURL string `json:"response_url"`
					TriggerID   string `json:"trigger_id"`
					Actions     []struct {
						ActionID string `json:"action_id"`
						BlockID  string `json:"block_id"`
						Value    string `json:"value"`
					} `json:"actions"`
				} `json:"payload"`
			}
			if err := json.Unmarshal(env, &e); err != nil {
				b.Fatal(err)
			}
		}
	})
}
