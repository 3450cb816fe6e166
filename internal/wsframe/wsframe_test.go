package wsframe

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// server sends frames (text unless binary) then a last text frame "end",
// and closes.
func server(t *testing.T, tls bool, frames []frame) *httptest.Server {
	t.Helper()
	up := websocket.Upgrader{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		for _, f := range frames {
			switch {
			case f.ping:
				_ = ws.WriteControl(websocket.PingMessage, []byte(f.data), time.Now().Add(time.Second))
			case f.fragments > 0:
				w, _ := ws.NextWriter(websocket.TextMessage)
				step := len(f.data) / f.fragments
				for i := 0; i < f.fragments; i++ {
					end := (i + 1) * step
					if i == f.fragments-1 {
						end = len(f.data)
					}
					_, _ = w.Write([]byte(f.data[i*step : end]))
					// gorilla flushes a fragment when its buffer fills;
					// force one per piece with a large write buffer off.
				}
				_ = w.Close()
			case f.binary:
				_ = ws.WriteMessage(websocket.BinaryMessage, []byte(f.data))
			default:
				_ = ws.WriteMessage(websocket.TextMessage, []byte(f.data))
			}
		}
		_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"end":true}`))
		_, _, _ = ws.ReadMessage()
	})
	if tls {
		return httptest.NewTLSServer(h)
	}
	return httptest.NewServer(h)
}

type frame struct {
	data      string
	binary    bool
	ping      bool
	fragments int
}

func TestDropsUnreadableTextFrames(t *testing.T) {
	big := `{"type":"events_api","payload":"` + strings.Repeat("x", 70000) + `"}`
	mid := `{"type":"events_api","payload":"` + strings.Repeat("y", 300) + `"}`
	deep := `{"a":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`
	okDeep := `{"a":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`
	frames := []frame{
		{data: `{"type":"hello"}`},
		{data: `}not json{`},
		{data: strings.Repeat("[", 100000) + strings.Repeat("]", 100000)},
		{data: deep},
		{data: okDeep},
		{data: `"a string"`},
		{data: `[1,2]`},
		{data: ``},
		{data: `{"s":"brackets [[[ in a string \" {{{ stay text"}`},
		{ping: true, data: "p"},
		{binary: true, data: "\x00\x01not json"},
		{data: mid},
		{data: big},
	}
	want := []string{`{"type":"hello"}`, okDeep, `{"s":"brackets [[[ in a string \" {{{ stay text"}`, "\x00\x01not json", mid, big, `{"end":true}`}
	wantDropped := []string{ReasonNotJSON, ReasonNotJSON, ReasonTooDeep, ReasonNotObject, ReasonNotObject, ReasonNotJSON}
	for _, tls := range []bool{false, true} {
		name := "ws"
		if tls {
			name = "wss"
		}
		t.Run(name, func(t *testing.T) {
			srv := server(t, tls, frames)
			defer srv.Close()
			var mu sync.Mutex
			var dropped []string
			d, filtered := dialer(func(reason string, size int) {
				mu.Lock()
				defer mu.Unlock()
				dropped = append(dropped, reason)
			}, nil)
			if !filtered {
				t.Fatal("no proxy in the environment, yet the dialer does not filter")
			}
			u := "ws" + strings.TrimPrefix(srv.URL, "http")
			if tls {
				d, _ = dialer(func(reason string, size int) {
					mu.Lock()
					defer mu.Unlock()
					dropped = append(dropped, reason)
				}, poolOf(srv))
			}
			ws, _, err := d.Dial(u, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ws.Close()
			var got []string
			for {
				_, b, err := ws.ReadMessage()
				if err != nil {
					t.Fatalf("after %d messages: %v (the connection must survive every frame)", len(got), err)
				}
				got = append(got, string(b))
				if string(b) == `{"end":true}` {
					break
				}
			}
			if len(got) != len(want) {
				t.Fatalf("got %d messages, want %d: %.80q", len(got), len(want), got)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("message %d: got %.60q, want %.60q", i, got[i], want[i])
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if strings.Join(dropped, "|") != strings.Join(wantDropped, "|") {
				t.Errorf("dropped %q, want %q", dropped, wantDropped)
			}
		})
	}
}

func TestFragmentsPassThrough(t *testing.T) {
	msg := `{"type":"events_api","payload":"` + strings.Repeat("z", 20000) + `"}`
	srv := server(t, false, []frame{{data: msg, fragments: 4}})
	defer srv.Close()
	d, _ := Dialer(nil)
	d.ReadBufferSize = 1024
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_, b, err := ws.ReadMessage()
	if err != nil || string(b) != msg {
		t.Fatalf("fragmented message: err %v, %d bytes, want %d", err, len(b), len(msg))
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{}`, ""},
		{` {"a":[{"b":[1]}]} `, ""},
		{`{`, ReasonNotJSON},
		{`null`, ReasonNotObject},
		{`{"a":"]]]]"}`, ""},
	} {
		if got := Check([]byte(c.in)); got != c.want {
			t.Errorf("Check(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func poolOf(srv *httptest.Server) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(srv.Certificate())
	return p
}
