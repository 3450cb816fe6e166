package wsframe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gorilla/websocket"
)

// Dialer returns a websocket dialer for socketmode.OptionDialer whose
// connections drop unreadable frames (see Conn), for ws:// and wss:// alike;
// it has slack-go's own settings otherwise. When the environment names a
// proxy for Slack's socket host the filter cannot see through the proxy's
// tunnel: the dialer is then slack-go's default, and filtered is false.
func Dialer(dropped func(reason string, size int)) (d *websocket.Dialer, filtered bool) {
	return dialer(dropped, nil)
}

// dialer is Dialer trusting roots (nil: the system's).
func dialer(dropped func(reason string, size int), roots *x509.CertPool) (d *websocket.Dialer, filtered bool) {
	d = &websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: 30 * time.Second,
		WriteBufferSize:  1024,
	}
	probe := &http.Request{URL: &url.URL{Scheme: "https", Host: "wss-primary.slack.com"}}
	if p, err := http.ProxyFromEnvironment(probe); err != nil || p != nil {
		return d, false
	}
	nd := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := nd.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return Wrap(c, dropped), nil
	}
	d.NetDialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		raw, err := nd.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		tc := tls.Client(raw, &tls.Config{ServerName: host, RootCAs: roots, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}})
		if err := tc.HandshakeContext(ctx); err != nil {
			_ = raw.Close()
			return nil, err
		}
		return Wrap(tc, dropped), nil
	}
	return d, true
}
