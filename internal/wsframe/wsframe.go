// Package wsframe keeps a Socket Mode connection alive through frames Slack
// would never send: it sits under the websocket client, on the bytes of the
// connection, and drops every whole text frame that is not a JSON object of
// sane depth before the client reads it.
//
// slack-go's socketmode client tolerates a few unreadable frames, then gives
// the socket up and reconnects; a peer that keeps sending them makes it
// reconnect in a loop (thousands of times a minute against fakeslack). With
// the filter the frame is dropped, the caller is told (it logs one line) and
// the connection stays.
//
// It reads the stream as RFC 6455 frames from a server: the HTTP upgrade
// response passes through untouched, then each frame is read whole. Control
// frames, binary frames, fragments and compressed frames pass through as
// they are; a text frame that is whole (FIN set, not compressed) and at most
// MaxFrame bytes is checked. Dialer builds the websocket dialer that puts
// the filter under every connection it opens, TLS included.
package wsframe

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net"
	"sync"
)

// MaxDepth is the deepest nesting of objects and arrays a frame may have;
// Slack's envelopes (blocks inside views inside payloads) stay well under 30.
const MaxDepth = 64

// MaxFrame is the largest text frame checked; larger ones pass through to the
// client, whose read limit decides.
const MaxFrame = 8 << 20

// Reasons a frame is dropped.
const (
	ReasonNotJSON   = "not JSON"
	ReasonNotObject = "not a JSON object"
	ReasonTooDeep   = "nested too deep"
)

// Conn wraps a connection to a websocket server and drops the unreadable
// text frames it sends. Writes go straight through.
type Conn struct {
	net.Conn
	dropped func(reason string, size int)

	mu      sync.Mutex
	r       *bufio.Reader
	out     bytes.Buffer // bytes ready for the client
	upgrade bool         // the HTTP upgrade response has passed
	err     error
}

// Wrap returns c with the filter in front of its reads; dropped (which may
// be nil) is called once for each frame dropped, with why and its length.
func Wrap(c net.Conn, dropped func(reason string, size int)) *Conn {
	return &Conn{Conn: c, dropped: dropped, r: bufio.NewReaderSize(c, 64<<10)}
}

// Read hands the client the connection's bytes without the dropped frames.
func (c *Conn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.out.Len() == 0 {
		if c.err != nil {
			return 0, c.err
		}
		c.err = c.fill()
	}
	return c.out.Read(p)
}

// fill moves the next piece of the stream into out: the upgrade response, or
// one frame (nothing, when it is dropped).
func (c *Conn) fill() error {
	if !c.upgrade {
		return c.fillUpgrade()
	}
	return c.fillFrame()
}

// fillUpgrade passes the HTTP response up to its blank line.
func (c *Conn) fillUpgrade() error {
	for {
		line, err := c.r.ReadSlice('\n')
		c.out.Write(line)
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			return err
		}
		if bytes.Equal(line, []byte("\r\n")) || bytes.Equal(line, []byte("\n")) {
			c.upgrade = true
			return nil
		}
	}
}

const (
	finBit    = 0x80
	rsv1Bit   = 0x40
	opText    = 0x1
	maskBit   = 0x80
	maxHeader = 14
)

// fillFrame reads one frame; it passes it on unless it is a whole text frame
// that is not a JSON object of sane depth.
func (c *Conn) fillFrame() error {
	var hdr [maxHeader]byte
	if _, err := io.ReadFull(c.r, hdr[:2]); err != nil {
		return err
	}
	n := 2
	length := uint64(hdr[1] & 0x7f)
	switch length {
	case 126:
		if _, err := io.ReadFull(c.r, hdr[n:n+2]); err != nil {
			return unexpected(err)
		}
		length = uint64(binary.BigEndian.Uint16(hdr[n : n+2]))
		n += 2
	case 127:
		if _, err := io.ReadFull(c.r, hdr[n:n+8]); err != nil {
			return unexpected(err)
		}
		length = binary.BigEndian.Uint64(hdr[n : n+8])
		n += 8
	}
	masked := hdr[1]&maskBit != 0
	if masked {
		if _, err := io.ReadFull(c.r, hdr[n:n+4]); err != nil {
			return unexpected(err)
		}
		n += 4
	}
	checked := hdr[0]&finBit != 0 && hdr[0]&rsv1Bit == 0 && hdr[0]&0x0f == opText && length <= MaxFrame
	if !checked {
		c.out.Write(hdr[:n])
		_, err := io.CopyN(&c.out, c.r, int64(length))
		return unexpected(err)
	}
	payload := make([]byte, length)
	if _, err := io.ReadFull(c.r, payload); err != nil {
		return unexpected(err)
	}
	plain := payload
	if masked {
		plain = make([]byte, length)
		key := hdr[n-4 : n]
		for i, b := range payload {
			plain[i] = b ^ key[i%4]
		}
	}
	if reason := Check(plain); reason != "" {
		if c.dropped != nil {
			c.dropped(reason, len(plain))
		}
		return nil
	}
	c.out.Write(hdr[:n])
	c.out.Write(payload)
	return nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Check says why a text frame would be dropped, or "" when it is a JSON
// object no deeper than MaxDepth.
func Check(b []byte) string {
	if !json.Valid(b) {
		return ReasonNotJSON
	}
	if t := bytes.TrimLeft(b, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return ReasonNotObject
	}
	if depth(b) > MaxDepth {
		return ReasonTooDeep
	}
	return ""
}

// depth is the deepest nesting of objects and arrays in valid JSON.
func depth(b []byte) int {
	d, most := 0, 0
	inString, escaped := false, false
	for _, ch := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case ch == '\\':
				escaped = true
			case ch == '"':
				inString = false
			}
		case ch == '"':
			inString = true
		case ch == '{' || ch == '[':
			d++
			most = max(most, d)
		case ch == '}' || ch == ']':
			d--
		}
	}
	return most
}
