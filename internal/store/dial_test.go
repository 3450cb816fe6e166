package store_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/redistest"
	"github.com/assessbot/assessbot/internal/store"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name, url, mode string
		want            store.Mode
		check           func(t *testing.T, tg store.Target)
	}{
		{"single", "redis://localhost:6379/0", "", store.ModeSingle, func(t *testing.T, tg store.Target) {
			if o := tg.Single; o.Addr != "localhost:6379" || o.DB != 0 || o.TLSConfig != nil {
				t.Errorf("options = addr %s db %d tls %v", o.Addr, o.DB, o.TLSConfig)
			}
		}},
		{"single with user, password and db", "redis://bot:s3cret@redis.internal:6380/3", "", store.ModeSingle, func(t *testing.T, tg store.Target) {
			if o := tg.Single; o.Addr != "redis.internal:6380" || o.DB != 3 || o.Username != "bot" || o.Password != "s3cret" {
				t.Errorf("options = addr %s db %d user %s password %s", o.Addr, o.DB, o.Username, o.Password)
			}
		}},
		{"single over TLS", "rediss://:s3cret@redis.internal:6380", "", store.ModeSingle, func(t *testing.T, tg store.Target) {
			if c := tg.Single.TLSConfig; c == nil || c.ServerName != "redis.internal" || c.MinVersion < tls.VersionTLS12 {
				t.Errorf("tls = %+v", c)
			}
		}},
		{"single forced on a one-host URL", "redis://h:6379", "single", store.ModeSingle, nil},
		{"cluster", "redis://bot:s3cret@h1:7000?addr=h2:7001&addr=h3:7002", "", store.ModeCluster, func(t *testing.T, tg store.Target) {
			o := tg.Cluster
			if !slices.Equal(o.Addrs, []string{"h1:7000", "h2:7001", "h3:7002"}) || o.Username != "bot" || o.Password != "s3cret" || o.TLSConfig != nil {
				t.Errorf("options = addrs %v user %s password %s tls %v", o.Addrs, o.Username, o.Password, o.TLSConfig)
			}
		}},
		{"cluster over TLS checks each node's own name", "rediss://h1:7000?addr=h2:7001", "", store.ModeCluster, func(t *testing.T, tg store.Target) {
			if c := tg.Cluster.TLSConfig; c == nil || c.ServerName != "" || c.MinVersion < tls.VersionTLS12 {
				t.Errorf("tls = %+v", c)
			}
		}},
		{"cluster of one seed needs the mode", "redis://h1:7000", "cluster", store.ModeCluster, func(t *testing.T, tg store.Target) {
			if !slices.Equal(tg.Cluster.Addrs, []string{"h1:7000"}) {
				t.Errorf("addrs = %v", tg.Cluster.Addrs)
			}
		}},
		{"cluster database 0 is fine", "redis://h1:7000/0?addr=h2:7001", "", store.ModeCluster, nil},
		{"sentinel", "redis://:sentpass@s1:26379?master_name=mymaster&addr=s2:26379&addr=s3:26379&password=s3cret", "", store.ModeSentinel, func(t *testing.T, tg store.Target) {
			o := tg.Sentinel
			if o.MasterName != "mymaster" || !slices.Equal(o.SentinelAddrs, []string{"s1:26379", "s2:26379", "s3:26379"}) ||
				o.SentinelPassword != "sentpass" || o.Password != "s3cret" || o.TLSConfig != nil {
				t.Errorf("options = master %s sentinels %v sentinel password %s password %s tls %v",
					o.MasterName, o.SentinelAddrs, o.SentinelPassword, o.Password, o.TLSConfig)
			}
		}},
		{"sentinel with one sentinel and a db", "redis://s1:26379/2?master_name=m", "", store.ModeSentinel, func(t *testing.T, tg store.Target) {
			if o := tg.Sentinel; o.DB != 2 || len(o.SentinelAddrs) != 1 {
				t.Errorf("db %d sentinels %v", o.DB, o.SentinelAddrs)
			}
		}},
		{"sentinel over TLS checks each node's own name", "rediss://s1:26379?master_name=m&addr=s2:26379", "", store.ModeSentinel, func(t *testing.T, tg store.Target) {
			if c := tg.Sentinel.TLSConfig; c == nil || c.ServerName != "" || c.MinVersion < tls.VersionTLS12 {
				t.Errorf("tls = %+v", c)
			}
		}},
		{"sentinel forced", "redis://s1:26379?master_name=m", "sentinel", store.ModeSentinel, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg, err := store.ParseURL(tc.url, tc.mode)
			if err != nil {
				t.Fatalf("ParseURL(%q, %q): %v", tc.url, tc.mode, err)
			}
			if tg.Mode != tc.want {
				t.Fatalf("mode = %s, want %s", tg.Mode, tc.want)
			}
			if (tg.Single != nil) != (tc.want == store.ModeSingle) || (tg.Cluster != nil) != (tc.want == store.ModeCluster) ||
				(tg.Sentinel != nil) != (tc.want == store.ModeSentinel) {
				t.Fatalf("target %+v has options of another mode", tg)
			}
			if tc.check != nil {
				tc.check(t, tg)
			}
		})
	}
}

func TestParseURLErrorsNameTheProblemNotThePassword(t *testing.T) {
	tests := []struct {
		name, url, mode string
		secret          string // must not appear in the error
		want            string // must appear in the error
	}{
		{"unknown mode", "redis://u:s3cret@h:6379", "replicated", "s3cret", `unknown mode "replicated"`},
		{"sentinel without master name", "redis://u:s3cret@s1:26379?addr=s2:26379", "sentinel", "s3cret", "master_name"},
		{"cluster with a database", "redis://u:s3cret@h1:7000/3?addr=h2:7001", "", "s3cret", "only database 0"},
		{"single with cluster seeds", "redis://u:s3cret@h1:7000?addr=h2:7001", "single", "s3cret", "unexpected option: addr"},
		{"cluster with a master name", "redis://u:s3cret@h1:7000?master_name=m", "cluster", "s3cret", "unexpected option: master_name"},
		{"unknown option", "redis://u:s3cret@h:6379?bogus=1", "", "s3cret", "unexpected option: bogus"},
		{"bad scheme", "http://u:s3cret@h:6379", "", "s3cret", "invalid URL scheme: http"},
		{"bad port", "redis://u:s3cret@h:notaport", "", "s3cret", `invalid port ":notaport"`},
		{"bad port without user info", "redis://h:notaport", "", "notaport-never", "invalid port"},
		{"unescaped slash in the password", "redis://u:Zq/9Xw@h:6379", "", "Zq", "percent-encode"},
		{"slash in a numeric password", "redis://u:12/9Xw@h:6379", "", "9Xw", "percent-encode"},
		{"bad escape in the password", "redis://u:Zq%zzXw@h:6379", "", "zz", "percent-encode"},
		{"escaped password", "redis://u:p%40ssw0rd@h:6379?bogus=1", "", "ssw0rd", "unexpected option: bogus"},
		{"master password in the query", "redis://s1:26379?master_name=m&password=s3cret&dial_timeout=soon", "", "s3cret", "dial_timeout"},
		{"sentinel password in the query", "redis://s1:26379?master_name=m&sentinel_password=s3cret", "", "s3cret", "unexpected option: sentinel_password"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := store.ParseURL(tc.url, tc.mode)
			if err == nil {
				t.Fatalf("ParseURL(%q, %q) succeeded", tc.url, tc.mode)
			}
			if strings.Contains(err.Error(), tc.secret) {
				t.Errorf("error shows the password %q: %v", tc.secret, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if _, _, err := store.Dial(tc.url, tc.mode); err == nil || strings.Contains(err.Error(), tc.secret) {
				t.Errorf("Dial: %v", err)
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"redis://localhost:6379/0", "redis://localhost:6379/0"},
		{"redis://bot:s3cret@h:6379/0", "redis://bot:xxxxx@h:6379/0"},
		{"rediss://:s3cret@h1:7000?addr=h2:7001&addr=h3:7002", "rediss://:xxxxx@h1:7000?addr=h2:7001&addr=h3:7002"},
		{"redis://:sp@s1:26379?master_name=m&password=s3cret&addr=s2:26379", "redis://:xxxxx@s1:26379?master_name=m&password=xxxxx&addr=s2:26379"},
		{"redis://s1?sentinel_password=s3cret", "redis://s1?sentinel_password=xxxxx"},
		{"redis://u:Zq/9Xw@h:6379", "redis://u:xxxxx@h:6379"},
		{"redis://u:Zq%zzXw@h:6379", "redis://u:xxxxx@h:6379"},
		{"redis://u:12/9Xw@h:6379", "redis://u:xxxxx@h:6379"},
	}
	for _, tc := range tests {
		if got := store.RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRedactEveryForm: wherever go-redis's URL forms (and the usual
// mistakes in them) carry a password, RedactURL hides it, Scrub takes it
// out of any text, and ParseURL's error never shows it. Every password
// here contains "S3cr3t", which must appear nowhere, not even in part.
func TestRedactEveryForm(t *testing.T) {
	tests := []struct {
		name, url string
		secrets   []string // the passwords, as written and as go-redis reads them
		want      string   // RedactURL's output
	}{
		{"user and password", "redis://bot:S3cr3tA@h:6379/0", []string{"S3cr3tA"}, "redis://bot:xxxxx@h:6379/0"},
		{"password only", "rediss://:S3cr3tA@h:6380", []string{"S3cr3tA"}, "rediss://:xxxxx@h:6380"},
		{"escaped password", "redis://:p%40S3cr3t@h:6379", []string{"p%40S3cr3t", "p@S3cr3t"}, "redis://:xxxxx@h:6379"},
		{"password without its colon", "redis://S3cr3tA@h:6379/0", []string{"S3cr3tA"}, "redis://xxxxx@h:6379/0"},
		{"cluster", "redis://:S3cr3tA@h1:7000?addr=h2:7001&addr=h3:7002", []string{"S3cr3tA"}, "redis://:xxxxx@h1:7000?addr=h2:7001&addr=h3:7002"},
		{"cluster seed with user info", "redis://h1:7000?addr=u:S3cr3tB@h2:7001", []string{"S3cr3tB"}, "redis://h1:7000?addr=xxxxx@h2:7001"},
		{"sentinel: the README's form", "redis://host:26379?master_name=mymaster&password=S3cr3tA", []string{"S3cr3tA"}, "redis://host:26379?master_name=mymaster&password=xxxxx"},
		{"sentinel: both passwords", "redis://:S3cr3tS@s1:26379?master_name=m&addr=s2:26379&username=bot&password=S3cr3tM",
			[]string{"S3cr3tS", "S3cr3tM"}, "redis://:xxxxx@s1:26379?master_name=m&addr=s2:26379&username=bot&password=xxxxx"},
		{"sentinel_password", "redis://s1:26379?master_name=m&sentinel_password=S3cr3tS", []string{"S3cr3tS"}, "redis://s1:26379?master_name=m&sentinel_password=xxxxx"},
		{"upper-case parameter", "redis://s1:26379?master_name=m&Password=S3cr3tM", []string{"S3cr3tM"}, "redis://s1:26379?master_name=m&Password=xxxxx"},
		{"escaped parameter", "redis://s1:26379?master_name=m&password=p%26S3cr3t", []string{"p%26S3cr3t", "p&S3cr3t"}, "redis://s1:26379?master_name=m&password=xxxxx"},
		{"a # in a parameter", "redis://s1:26379?master_name=m&password=ab#S3cr3t", []string{"ab", "S3cr3t"}, "redis://s1:26379?master_name=m&password=xxxxx#xxxxx"},
		{"a # in the password", "redis://:ab#S3cr3t@h:6379", []string{"ab#S3cr3t"}, "redis://:xxxxx@h:6379"},
		{"a / in the password", "redis://u:Zq/S3cr3t@h:6379", []string{"Zq/S3cr3t"}, "redis://u:xxxxx@h:6379"},
		{"a / in a numeric password", "redis://u:12/S3cr3t@h:6379", []string{"12/S3cr3t"}, "redis://u:xxxxx@h:6379"},
		{"a ? in a numeric password", "redis://:12?S3cr3t@h:6379", []string{"12?S3cr3t"}, "redis://:xxxxx@h:6379"},
		{"a bad escape", "redis://u:Zq%zzS3cr3t@h:6379", []string{"Zq%zzS3cr3t"}, "redis://u:xxxxx@h:6379"},
		{"no scheme", "u:S3cr3tA@h:6379", []string{"S3cr3tA"}, "u:xxxxx@h:6379"},
		{"no password", "redis://h:6379/0", nil, "redis://h:6379/0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			red := store.RedactURL(tc.url)
			if red != tc.want {
				t.Errorf("RedactURL = %q, want %q", red, tc.want)
			}
			text := "dial " + tc.url + " failed: " + strings.Join(tc.secrets, " ")
			scrubbed := store.Scrub(tc.url, text)
			const mark = "S3cr3t"
			if strings.Contains(red, mark) {
				t.Errorf("RedactURL = %q shows the password", red)
			}
			if strings.Contains(scrubbed, mark) {
				t.Errorf("Scrub = %q shows the password", scrubbed)
			}
			// A reason to fail that go-redis words itself, after the password.
			if _, err := store.ParseURL(tc.url+"&bogus=1", ""); err == nil || strings.Contains(err.Error(), mark) {
				t.Errorf("ParseURL's error shows the password: %v", err)
			}
		})
	}
}

func TestDialSingle(t *testing.T) {
	srv := redistest.StartServer(t)
	rdb, mode, err := store.Dial(srv.URL(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if mode != store.ModeSingle {
		t.Fatalf("mode = %s", mode)
	}
	roundTrip(t, rdb, "single")
}

func TestDialCluster(t *testing.T) {
	ctx := context.Background()
	c := redistest.StartCluster(t)

	one, mode, err := store.Dial("redis://"+c.Addrs()[0], "cluster")
	if err != nil || mode != store.ModeCluster {
		t.Fatalf("one seed: mode %s, %v", mode, err)
	}
	defer one.Close()
	roundTrip(t, one, "one seed")

	rdb, mode, err := store.Dial(c.URL(), "")
	if err != nil || mode != store.ModeCluster {
		t.Fatalf("mode %s, %v", mode, err)
	}
	defer rdb.Close()
	roundTrip(t, rdb, "before failover")

	// Dial's client must find a promoted replica by itself, long before
	// go-redis's own 60 s slot-map reload.
	master := c.Masters()[0]
	key := keyServedBy(t, rdb.(*redis.ClusterClient), master)
	if err := rdb.Set(ctx, key, "before", 0).Err(); err != nil {
		t.Fatal(err)
	}
	c.Kill(master)
	killed := time.Now()
	c.WaitFailover(master)
	failedOver := time.Since(killed)
	for {
		err := rdb.Set(ctx, key, "after", 0).Err()
		if err == nil {
			break
		}
		if time.Since(killed) > 15*time.Second {
			t.Fatalf("Dial's cluster client still cannot write %v after the kill: %v", time.Since(killed), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("failover took %v; Dial's client wrote again %v after the kill", failedOver.Round(time.Millisecond),
		time.Since(killed).Round(time.Millisecond))
	roundTrip(t, rdb, "after failover")
}

func TestDialSentinel(t *testing.T) {
	ctx := context.Background()
	s := redistest.StartSentinel(t)
	rdb, mode, err := store.Dial(s.URL(), "")
	if err != nil || mode != store.ModeSentinel {
		t.Fatalf("mode %s, %v", mode, err)
	}
	defer rdb.Close()
	roundTrip(t, rdb, "before failover")

	s.Kill(s.Master())
	killed := time.Now()
	s.WaitFailover()
	for {
		err := rdb.Set(ctx, "k", "after", 0).Err()
		if err == nil {
			break
		}
		if time.Since(killed) > 15*time.Second {
			t.Fatalf("write after failover: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("Dial's sentinel client wrote again %v after the kill", time.Since(killed).Round(time.Millisecond))
	roundTrip(t, rdb, "after failover")
}

// roundTrip writes keys spread over every slot and reads them back.
func roundTrip(t *testing.T, rdb redis.UniversalClient, when string) {
	t.Helper()
	ctx := context.Background()
	for i := range 50 {
		k := fmt.Sprintf("dial:%d", i)
		if err := rdb.Set(ctx, k, i, time.Minute).Err(); err != nil {
			t.Fatalf("%s: SET %s: %v", when, k, err)
		}
		if got, err := rdb.Get(ctx, k).Int(); err != nil || got != i {
			t.Fatalf("%s: GET %s = %d, %v", when, k, got, err)
		}
	}
}

// keyServedBy returns a key whose slot master serves.
func keyServedBy(t *testing.T, rdb *redis.ClusterClient, master string) string {
	t.Helper()
	for i := range 1000 {
		k := fmt.Sprintf("dial:owned:%d", i)
		node, err := rdb.MasterForKey(context.Background(), k)
		if err != nil {
			t.Fatal(err)
		}
		if node.Options().Addr == master {
			return k
		}
	}
	t.Fatalf("no key on %s", master)
	return ""
}
