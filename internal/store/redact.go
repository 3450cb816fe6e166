package store

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Where a Redis URL carries a password, in go-redis's forms and the ones
// people write by mistake:
//
//	redis://user:PASS@host:6379/0                     the user info (every mode)
//	redis://PASS@host:6379/0                          a lone user info, often a password without its ":"
//	redis://s1:26379?master_name=m&password=PASS      a query parameter whose name says pass, secret,
//	redis://s1:26379?…&sentinel_password=PASS         auth or token (Sentinel's master password, …)
//	redis://h1:7000?addr=user:PASS@h2:7001            the user info of a seed or sentinel (addr=)
//	redis://:PA#SS@h  redis://u:P/SS@h  redis://:12?PA@h   a password with a bare #, / or ?
//
// RedactURL hides each; Secrets lists them so that Scrub can take them out
// of any text (an error from go-redis or a server, a log line).

const redacted = "xxxxx"

var (
	// secretParam is a query parameter whose name says it holds a secret.
	secretParam = regexp.MustCompile(`([?&][^=&#]*(?i:pass|secret|auth|token)[^=&#]*=)([^&#]*)`)
	// addrUserinfo is the user info of an addr= parameter, up to its last @.
	addrUserinfo = regexp.MustCompile(`([?&]addr=)([^&#]*)@`)
)

// RedactURL returns a Redis URL fit for a message or a log line: every
// password it carries (see above) is replaced by xxxxx. A URL whose user
// info does not parse (a bare "/", "?" or "#" in the password) loses
// everything from "://" to its last "@" but a plain user name; a fragment
// (which go-redis ignores, and which a bare "#" in a password starts) is
// hidden whole.
func RedactURL(rawURL string) string {
	out := secretParam.ReplaceAllString(rawURL, "${1}"+redacted)
	out = addrUserinfo.ReplaceAllString(out, "${1}"+redacted+"@")
	if u, ok := wellFormed(out); ok {
		if u.Fragment != "" {
			u.Fragment, u.RawFragment = redacted, ""
		}
		if _, hasPass := u.User.Password(); u.User != nil && !hasPass {
			u.User = url.User(redacted)
		}
		return u.Redacted()
	}
	start, at, ok := rawUserinfo(out)
	if !ok {
		return out
	}
	user, _, hasPass := strings.Cut(out[start:at], ":")
	if !hasPass || strings.ContainsAny(user, "/?#") {
		return out[:start] + redacted + out[at:]
	}
	return out[:start] + user + ":" + redacted + out[at:]
}

// Secrets returns every password rawURL carries, as written and
// unescaped, longest first (so that a shorter one inside a longer one
// cannot leave part of it behind when Scrub replaces them).
func Secrets(rawURL string) []string {
	var out []string
	add := func(s string) {
		if s == "" || slices.Contains(out, s) {
			return
		}
		out = append(out, s)
		for _, unescape := range []func(string) (string, error){url.PathUnescape, url.QueryUnescape} {
			if u, err := unescape(s); err == nil && u != "" && !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	if u, ok := wellFormed(rawURL); ok {
		if pass, hasPass := u.User.Password(); hasPass {
			add(pass)
			add(url.UserPassword("", pass).String()[1:]) // as it was escaped
		} else if u.User != nil {
			add(u.User.Username())
		}
		add(u.Fragment)
	} else if start, at, ok := rawUserinfo(rawURL); ok {
		user, pass, hasPass := strings.Cut(rawURL[start:at], ":")
		if !hasPass {
			pass = user
		}
		add(pass)
	}
	for _, m := range secretParam.FindAllStringSubmatch(rawURL, -1) {
		add(m[2])
	}
	for _, m := range addrUserinfo.FindAllStringSubmatch(rawURL, -1) {
		user, pass, hasPass := strings.Cut(m[2], ":")
		if !hasPass {
			pass = user
		}
		add(pass)
	}
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// Scrub replaces every password of rawURL found in s by xxxxx.
func Scrub(rawURL, s string) string {
	for _, secret := range Secrets(rawURL) {
		s = strings.ReplaceAll(s, secret, redacted)
	}
	return s
}

// wellFormed parses a URL whose user info, if any, is where url.Parse
// finds it: an "@" in the path, a query parameter's name or the fragment,
// or an opaque URL (no "//" after the scheme, "user:pass@host"), means a
// password with a bare "/", "?" or "#", or a missing scheme, split it.
func wellFormed(rawURL string) (*url.URL, bool) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Opaque != "" || strings.Contains(u.Path, "@") || strings.Contains(u.Fragment, "@") {
		return nil, false
	}
	for name := range u.Query() {
		if strings.Contains(name, "@") {
			return nil, false
		}
	}
	return u, true
}

// rawUserinfo finds the user info of a URL that is not well formed: from
// "://" (or the start, without one) to the last "@".
func rawUserinfo(rawURL string) (start, end int, ok bool) {
	if i := strings.Index(rawURL, "://"); i >= 0 {
		start = i + 3
	}
	at := strings.LastIndex(rawURL, "@")
	if at < start {
		return 0, 0, false
	}
	return start, at, true
}
