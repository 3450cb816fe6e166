package store_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
	"github.com/assessbot/assessbot/internal/redistest"
	"github.com/assessbot/assessbot/internal/store"
)

// Forgets that run at once, each in a process of its own (a store of its
// own), all take effect: none of the forgotten stays in a review's stored
// audience (its respondents or the audience as typed), and the others stay.
func TestConcurrentForgetsAllTakeEffect(t *testing.T) {
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) { concurrentForgets(t, mode) })
	}
}

func concurrentForgets(t *testing.T, mode store.Mode) {
	rdb, prefix := clientOn(t, mode)
	s := store.New(rdb, prefix)
	ctx := context.Background()
	{
		const rounds, people, forgotten = 6, 10, 5
		for round := range rounds {
			var users, mentions []string
			for i := range people {
				u := fmt.Sprintf("UF%d%02d", round, i)
				users = append(users, u)
				mentions = append(mentions, "<@"+u+"|"+strings.ToLower(u)+">")
			}
			now := time.Now()
			r := &assessment.Review{ID: fmt.Sprintf("rforget%d%s", round, now.Format("150405")), FrameworkID: "cs-excellence",
				Respondents: users, Audience: strings.Join(mentions, " "), DigestChannel: "C1", CreatedBy: "UADMIN",
				CreatedAt: now, Deadline: now.Add(time.Hour), Threshold: 3, Status: assessment.StatusOpen}
			if _, err := s.CreateReview(ctx, r, excellence(t)); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			start := make(chan struct{})
			for _, u := range users[:forgotten] {
				wg.Add(1)
				go func() {
					defer wg.Done()
					other := store.New(rdb, prefix) // another process
					<-start
					if _, _, err := other.Forget(ctx, u); err != nil {
						t.Errorf("forget %s: %v", u, err)
					}
				}()
			}
			close(start)
			wg.Wait()
			got, _, err := store.New(rdb, prefix).Review(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := users[forgotten:]; !slices.Equal(got.Respondents, want) {
				t.Errorf("round %d: respondents after %d forgets at once = %v, want %v", round, forgotten, got.Respondents, want)
			}
			for _, u := range users[:forgotten] {
				if strings.Contains(got.Audience, u) {
					t.Errorf("round %d: the audience still names %s: %s", round, u, got.Audience)
				}
			}
		}
	}
}

// De-linking puts the sheets' random ids into the review's set in the
// order of the ids, never in the order of the respondents: a small set is
// a listpack that keeps insertion order (Redis ≥ 7.2) in memory and in
// every snapshot, so the i-th sheet would otherwise be the i-th person of
// the audience. The test watches the script's commands (MONITOR).
func TestDelinkAddsSheetsInAnOrderOfTheirOwn(t *testing.T) {
	ctx := context.Background()
	srv := redistest.StartServer(t)
	rdb := redistest.Client(srv)
	s := store.New(rdb, "order:")
	var users []string
	for i := range 8 {
		users = append(users, fmt.Sprintf("UORD%d", i))
	}
	r := newReviewID(t, s, "rorder01", users...)
	q := excellence(t).Sections[0].Questions[0].ID
	for _, u := range users {
		if _, _, err := s.SaveAnswer(ctx, r.ID, u, q, assessment.Answer{Option: assessment.NotSure}, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Close(ctx, r.ID, "UADMIN", time.Now()); err != nil {
		t.Fatal(err)
	}
	mon, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer mon.Close()
	lines := bufio.NewReader(mon)
	if _, err := mon.Write([]byte("MONITOR\r\n")); err != nil {
		t.Fatal(err)
	}
	if ok, err := lines.ReadString('\n'); err != nil || ok != "+OK\r\n" {
		t.Fatalf("MONITOR: %q %v", ok, err)
	}
	r.Status = assessment.StatusClosed
	if err := s.Delink(ctx, r); err != nil {
		t.Fatal(err)
	}
	_ = mon.SetReadDeadline(time.Now().Add(10 * time.Second))
	var added []string
	arg := regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
	for {
		line, err := lines.ReadString('\n')
		if err != nil {
			t.Fatalf("MONITOR: %v (sheets added so far: %v)", err, added)
		}
		args := arg.FindAllStringSubmatch(line, -1)
		if len(args) < 2 {
			continue
		}
		cmd, key := strings.ToUpper(args[0][1]), args[1][1]
		if cmd == "SADD" && strings.HasSuffix(key, ":sheets") {
			for _, a := range args[2:] {
				added = append(added, a[1])
			}
		}
		if cmd == "SET" && strings.HasSuffix(key, ":delinked") {
			break // the script's last command
		}
	}
	if len(added) != len(users) {
		t.Fatalf("%d sheets added, want %d: %v", len(added), len(users), added)
	}
	if !slices.IsSorted(added) {
		t.Errorf("sheets added in the respondents' order, not in an order of their own: %v", added)
	}
}

// After de-linking, CompactFiles leaves no append-only file on any server
// of the deployment (every master and replica of a Cluster; the master
// and replica of a Sentinel group; one server) holding a respondent next
// to an answer or a sheet, where before it every server that had the
// review did. Each deployment is private, its servers' append-only files
// turned on at run time.
func TestCompactFilesOnEveryServer(t *testing.T) {
	deployments := []struct {
		name  string
		start func(t *testing.T) (dir string, addrs []string, rdb redis.UniversalClient)
	}{
		{"single", func(t *testing.T) (string, []string, redis.UniversalClient) {
			srv := redistest.StartServer(t)
			return srv.Dir, []string{srv.Addr()}, redistest.Client(srv)
		}},
		{"cluster", func(t *testing.T) (string, []string, redis.UniversalClient) {
			c := redistest.StartCluster(t)
			return c.Dir, c.Addrs(), dial(t, c.URL())
		}},
		{"sentinel", func(t *testing.T) (string, []string, redis.UniversalClient) {
			s := redistest.StartSentinel(t)
			return s.Dir, s.DataAddrs(), dial(t, s.URL())
		}},
	}
	for _, d := range deployments {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			dir, addrs, rdb := d.start(t)
			for _, addr := range addrs {
				node := redis.NewClient(&redis.Options{Addr: addr})
				if err := node.ConfigSet(ctx, "appendonly", "yes").Err(); err != nil {
					t.Fatal(err)
				}
				waitIdle(t, node)
				_ = node.Close()
			}
			s := store.New(rdb, "files:")
			users := []string{"UFA", "UFB", "UFC", "UFD"}
			r := newReviewID(t, s, "rfiles01", users...)
			q := excellence(t).Sections[0].Questions[0].ID
			for i, u := range users {
				if _, _, err := s.SaveAnswer(ctx, r.ID, u, q, assessment.Answer{Comment: fmt.Sprintf("written-words-%d", i)}, true); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.Close(ctx, r.ID, "UADMIN", time.Now()); err != nil {
				t.Fatal(err)
			}
			r.Status = assessment.StatusClosed
			if err := s.Delink(ctx, r); err != nil {
				t.Fatal(err)
			}
			sheets, err := rdb.SMembers(ctx, "files:{r:"+r.ID+"}:sheets").Result()
			if err != nil || len(sheets) != len(users) {
				t.Fatalf("sheets %v, %v", sheets, err)
			}
			links := append([]string{q, "written-words-"}, sheets...)
			leaks := func() (servers map[string]bool, found []string) {
				servers = map[string]bool{}
				for name, recs := range redistest.DataFiles(t, dir) {
					for _, rec := range recs {
						all := strings.Join(rec, "\x00")
						for _, u := range users {
							for _, l := range links {
								if strings.Contains(all, u) && strings.Contains(all, l) {
									servers[filepath.Dir(name)] = true
									found = append(found, fmt.Sprintf("%s: %s next to %q in %.200q", name, u, l, all))
								}
							}
						}
					}
				}
				return servers, found
			}
			// Before: the review's master and its replicas hold it all.
			want := 1
			if d.name != "single" {
				want = 2
			}
			deadline := time.Now().Add(10 * time.Second)
			for servers, _ := leaks(); len(servers) < want; servers, _ = leaks() {
				if time.Now().After(deadline) {
					t.Fatalf("before the rewrite, %d servers' files name a respondent next to an answer, want %d: the test looks in the wrong place", len(servers), want)
				}
				time.Sleep(50 * time.Millisecond)
			}
			rewrote, err := s.CompactFiles(ctx)
			if err != nil || !rewrote {
				t.Fatalf("CompactFiles = %v, %v", rewrote, err)
			}
			if again, err := s.CompactFiles(ctx); err != nil || again {
				t.Fatalf("CompactFiles again, with nothing new de-linked = %v, %v; want no rewrite", again, err)
			}
			for end := time.Now().Add(10 * time.Second); !redistest.AOFSettled(dir) && time.Now().Before(end); {
				time.Sleep(20 * time.Millisecond)
			}
			if _, found := leaks(); len(found) > 0 {
				t.Errorf("after CompactFiles the files still hold:\n%s", strings.Join(found, "\n"))
			}
		})
	}
}

func dial(t *testing.T, url string) redis.UniversalClient {
	t.Helper()
	rdb, _, err := store.Dial(url, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// waitIdle waits until a server has no rewrite under way or scheduled.
func waitIdle(t *testing.T, node *redis.Client) {
	t.Helper()
	ctx := context.Background()
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if redistest.Info(ctx, node, "persistence", "aof_rewrite_in_progress") == "0" &&
			redistest.Info(ctx, node, "persistence", "aof_rewrite_scheduled") == "0" {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("%s: a rewrite still under way after 10s", node.Options().Addr)
		}
	}
}
