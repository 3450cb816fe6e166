package redistest

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Record is one thing a Redis data file holds: a command of an
// append-only file, or a key and its value in an RDB snapshot.
type Record []string

// DataFiles reads every data file the private servers of a test wrote into
// dir: the append-only files (Redis 7's appendonlydir, or appendonlydir-*
// of the servers sharing dir, with their manifests; or a single
// appendonly.aof) command by command, and the RDB snapshots (dump.rdb, an
// AOF base in RDB form) key by key, each loaded into a fresh redis-server
// of the test's, which reads the format of whatever version wrote it.
// Records of a key list the key, then its value: a string, a hash's fields
// and values in the order the file holds them, a set's or list's members
// in order, a sorted set's members and scores. It returns the records by
// file name.
func DataFiles(t testing.TB, dir string) map[string][]Record {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.rdb"))
	more, _ := filepath.Glob(filepath.Join(dir, "*.aof"))
	aofDir, _ := filepath.Glob(filepath.Join(dir, "appendonlydir*", "*"))
	files = append(append(files, more...), aofDir...)
	out := map[string][]Record{}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("read %s: %v", f, err)
		}
		switch {
		case strings.HasSuffix(f, ".manifest"):
			out[rel] = []Record{{string(data)}}
		case bytes.HasPrefix(data, []byte("REDIS")):
			out[rel] = rdbRecords(t, data)
		default:
			recs, err := aofRecords(data)
			if err != nil {
				t.Fatalf("%s: %v", rel, err)
			}
			out[rel] = recs
		}
	}
	return out
}

// aofRecords splits an append-only file in RESP form into its commands.
func aofRecords(data []byte) ([]Record, error) {
	r := bufio.NewReader(bytes.NewReader(data))
	var out []Record
	line := func() (string, error) {
		s, err := r.ReadString('\n')
		return strings.TrimSuffix(s, "\r\n"), err
	}
	for {
		head, err := line()
		if err == io.EOF && head == "" {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("command %d: %v", len(out)+1, err)
		}
		if strings.HasPrefix(head, "#") { // an annotation (aof-timestamp-enabled)
			continue
		}
		n, err := strconv.Atoi(strings.TrimPrefix(head, "*"))
		if !strings.HasPrefix(head, "*") || err != nil {
			return out, fmt.Errorf("command %d: %q is not an array", len(out)+1, head)
		}
		rec := make(Record, 0, n)
		for range n {
			h, err := line()
			size, perr := strconv.Atoi(strings.TrimPrefix(h, "$"))
			if err != nil || perr != nil {
				return out, fmt.Errorf("command %d: bad bulk %q", len(out)+1, h)
			}
			b := make([]byte, size+2)
			if _, err := io.ReadFull(r, b); err != nil {
				return out, fmt.Errorf("command %d: %v", len(out)+1, err)
			}
			rec = append(rec, string(b[:size]))
		}
		out = append(out, rec)
	}
}

// rdbRecords loads an RDB snapshot into a fresh server and reads it back.
func rdbRecords(t testing.TB, data []byte) []Record {
	t.Helper()
	s := StartServer(t)
	s.Stop()
	if err := os.WriteFile(filepath.Join(s.Dir, "dump.rdb"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	s.Start()
	defer s.Stop()
	rdb := Client(s)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out []Record
	iter := rdb.Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		rec := Record{k}
		switch typ := rdb.Type(ctx, k).Val(); typ {
		case "string":
			rec = append(rec, rdb.Get(ctx, k).Val())
		case "hash":
			// HSCAN returns a small hash in the order the file holds it.
			var cursor uint64
			for {
				kv, next, err := rdb.HScan(ctx, k, cursor, "*", 1000).Result()
				if err != nil {
					t.Fatal(err)
				}
				rec = append(rec, kv...)
				if cursor = next; cursor == 0 {
					break
				}
			}
		case "set":
			rec = append(rec, rdb.SMembers(ctx, k).Val()...)
		case "list":
			rec = append(rec, rdb.LRange(ctx, k, 0, -1).Val()...)
		case "zset":
			for _, z := range rdb.ZRangeWithScores(ctx, k, 0, -1).Val() {
				rec = append(rec, fmt.Sprint(z.Member), strconv.FormatFloat(z.Score, 'g', -1, 64))
			}
		default:
			dump, _ := rdb.Dump(ctx, k).Result()
			rec = append(rec, typ, dump)
		}
		out = append(out, rec)
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Info returns one field of a server's INFO (e.g. "aof_rewrite_in_progress").
func Info(ctx context.Context, rdb *redis.Client, section, field string) string {
	info, _ := rdb.Info(ctx, section).Result()
	return infoField(info, field)
}

// AOFSettled reports whether every append-only directory in dir holds only
// the files its manifest names, none of them history: the files a rewrite
// left behind are deleted soon after it ends.
func AOFSettled(dir string) bool {
	dirs, _ := filepath.Glob(filepath.Join(dir, "appendonlydir*"))
	for _, d := range dirs {
		manifests, _ := filepath.Glob(filepath.Join(d, "*.manifest"))
		if len(manifests) != 1 {
			return false
		}
		manifest, err := os.ReadFile(manifests[0])
		if err != nil || strings.Contains(string(manifest), "type h") {
			return false
		}
		names, _ := filepath.Glob(filepath.Join(d, "*"))
		for _, n := range names {
			if b := filepath.Base(n); !strings.HasSuffix(b, ".manifest") && !strings.Contains(string(manifest), "file "+b+" ") {
				return false
			}
		}
	}
	return true
}
