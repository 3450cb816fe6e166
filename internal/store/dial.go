package store

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Mode is how the bot reaches Redis: one server, a Redis Cluster, or a
// master found through Sentinel.
type Mode string

// The modes a REDIS_URL can select.
const (
	ModeSingle   Mode = "single"
	ModeCluster  Mode = "cluster"
	ModeSentinel Mode = "sentinel"
)

// Target is a parsed Redis URL: the options of the one mode it selects.
type Target struct {
	Mode     Mode
	Single   *redis.Options         // ModeSingle
	Cluster  *redis.ClusterOptions  // ModeCluster
	Sentinel *redis.FailoverOptions // ModeSentinel
}

// Dial parses a Redis URL in one of go-redis's forms and returns a client
// for it, with the mode it chose. mode "" infers it from the URL:
//
//	redis://[user:pass@]host:6379/0                                   single (redis.ParseURL)
//	redis://[user:pass@]host1:7000?addr=host2:7001&addr=host3:7002    cluster (redis.ParseClusterURL)
//	redis://[user:pass@]s1:26379?master_name=mymaster&addr=s2:26379   sentinel (redis.ParseFailoverURL)
//
// "single", "cluster" or "sentinel" overrides the inference, e.g. for a
// cluster named by one seed. rediss:// turns on TLS in every mode. In
// Sentinel mode the URL's user and password are the sentinels' (as go-redis
// reads them); the master's come from the username= and password= query
// parameters. The client connects on first use. Errors never contain the
// URL's passwords.
func Dial(rawURL, mode string) (redis.UniversalClient, Mode, error) {
	t, err := ParseURL(rawURL, mode)
	if err != nil {
		return nil, "", err
	}
	return t.Client(), t.Mode, nil
}

// ParseURL is Dial without the client: it reads the URL into the options of
// the mode it selects.
func ParseURL(rawURL, mode string) (Target, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// The reason may quote part of the password: find it again on the
		// redacted URL, which fails the same way unless the user info is
		// what is wrong.
		if _, err := url.Parse(RedactURL(rawURL)); err != nil {
			return Target{}, urlError(rawURL, "does not parse: %v", innerURLError(err))
		}
		return Target{}, urlError(rawURL, "does not parse: percent-encode the user name and password")
	}
	if u.Opaque != "" || !strings.Contains(rawURL, "://") {
		return Target{}, urlError(rawURL, "does not parse: write redis://[user:password@]host:port/db (rediss:// for TLS)")
	}
	if _, ok := wellFormed(rawURL); !ok {
		// "redis://u:12/x@h" parses as port 12 and path "/x@h", a password
		// with a bare "?" or "#" as a query or a fragment: an error quoting
		// them would leak it.
		return Target{}, urlError(rawURL, "does not parse: percent-encode the user name and password")
	}
	if strings.Contains(rawURL, "#") {
		// go-redis ignores a fragment, and with it the rest of a password
		// that holds a bare "#".
		return Target{}, urlError(rawURL, "does not parse: a bare # ends the URL; percent-encode it (%%23) in a password")
	}
	m, err := chooseMode(u, mode)
	if err != nil {
		return Target{}, urlError(rawURL, "%v", err)
	}
	t := Target{Mode: m}
	switch m {
	case ModeSingle:
		t.Single, err = redis.ParseURL(rawURL)
	case ModeCluster:
		if p := strings.Trim(u.Path, "/"); p != "" && p != "0" {
			return Target{}, urlError(rawURL, "Redis Cluster has only database 0, the URL asks for %q", p)
		}
		if t.Cluster, err = redis.ParseClusterURL(rawURL); err == nil && t.Cluster.TLSConfig != nil {
			t.Cluster.TLSConfig = perNodeTLS(t.Cluster.TLSConfig)
		}
	case ModeSentinel:
		if !u.Query().Has("master_name") || u.Query().Get("master_name") == "" {
			return Target{}, urlError(rawURL, "sentinel mode needs the monitored master's name: add ?master_name=<name>")
		}
		if t.Sentinel, err = redis.ParseFailoverURL(rawURL); err == nil && t.Sentinel.TLSConfig != nil {
			t.Sentinel.TLSConfig = perNodeTLS(t.Sentinel.TLSConfig)
		}
	}
	switch {
	case err != nil && m == ModeSingle:
		return Target{}, urlError(rawURL, "%v", err)
	case err != nil:
		return Target{}, urlError(rawURL, "as %s: %v", m, err)
	}
	return t, nil
}

// Client returns a client for the target. A cluster client re-reads the
// slot map whenever it cannot reach a node: go-redis otherwise keeps sending
// a failed master's slots to it until a MOVED reply or its 60 s reload.
func (t Target) Client() redis.UniversalClient {
	switch t.Mode {
	case ModeCluster:
		c := redis.NewClusterClient(t.Cluster)
		c.OnNewNode(func(node *redis.Client) { node.AddHook(reloadOnDialError{c}) })
		return c
	case ModeSentinel:
		return redis.NewFailoverClient(t.Sentinel)
	default:
		return redis.NewClient(t.Single)
	}
}

// chooseMode applies an explicit mode or infers one: master_name means
// Sentinel, addr= means Cluster, anything else one server.
func chooseMode(u *url.URL, mode string) (Mode, error) {
	switch Mode(mode) {
	case ModeSingle, ModeCluster, ModeSentinel:
		return Mode(mode), nil
	case "":
	default:
		return "", fmt.Errorf("unknown mode %q: use single, cluster, sentinel or leave it empty to infer it", mode)
	}
	q := u.Query()
	switch {
	case q.Has("master_name"):
		return ModeSentinel, nil
	case q.Has("addr"):
		return ModeCluster, nil
	default:
		return ModeSingle, nil
	}
}

// perNodeTLS drops the ServerName go-redis copies from the first address,
// so that each node's certificate is checked against that node's own host
// (crypto/tls takes it from the address dialed), and requires TLS 1.2.
func perNodeTLS(c *tls.Config) *tls.Config {
	c = c.Clone()
	c.ServerName = ""
	if c.MinVersion < tls.VersionTLS12 {
		c.MinVersion = tls.VersionTLS12
	}
	return c
}

// reloadOnDialError asks a cluster client to re-read the slot map when one
// of its nodes cannot be dialed: it may have failed over.
type reloadOnDialError struct{ c *redis.ClusterClient }

func (h reloadOnDialError) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			h.c.ReloadState(ctx)
		}
		return conn, err
	}
}

func (h reloadOnDialError) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }

func (h reloadOnDialError) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// innerURLError is the reason inside a *url.Error, whose own text repeats
// the whole URL, password included.
func innerURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// URLError is a Redis URL that cannot be used. Neither field holds a
// password: URL is redacted (RedactURL) and Reason scrubbed (Scrub).
type URLError struct {
	URL    string // the URL, redacted
	Reason string // why it cannot be used, and what to write instead
}

func (e *URLError) Error() string { return "store: redis URL " + e.URL + ": " + e.Reason }

// urlError describes a bad Redis URL by its redacted form, with every
// password the URL holds scrubbed from the reason, and wraps nothing that
// could still print one.
func urlError(rawURL, format string, args ...any) error {
	return &URLError{URL: RedactURL(rawURL), Reason: Scrub(rawURL, fmt.Sprintf(format, args...))}
}
