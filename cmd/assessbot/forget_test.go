package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/redistest"
)

// keysNaming lists the keys under prefix whose name or content holds s.
func keysNaming(t *testing.T, prefix, s string) []string {
	t.Helper()
	opt, err := redis.ParseURL(redistest.URL())
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	ctx := context.Background()
	var out []string
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		dump, _ := rdb.Dump(ctx, k).Result()
		if strings.Contains(k, s) || strings.Contains(dump, s) {
			out = append(out, k)
		}
	}
	return out
}

// `/review forget @person` takes them out of every review, queue and
// index; a non-admin cannot; `assessbot forget` does the same from a shell.
func TestForgetCommand(t *testing.T) {
	h := newHarness(t, "UAMY", "UBEN", "UCAT")
	h.command(admin, leads, "start cs-checklist to <@UAMY|amy> <@UBEN|ben> <@UCAT|cat> digest <#CLEADS|x> due 3d now")
	intro := h.waitDM("UAMY", `"start"`)
	h.click("UAMY", intro, "start")
	msg := h.waitDM("UAMY", `"answer|`)
	h.click("UAMY", msg, firstAnswerAction(msg))
	h.wait("amy's answer", func() bool { return len(h.responses()["UAMY"]) == 1 })
	if len(keysNaming(t, h.prefix, "UAMY")) == 0 {
		t.Fatal("nothing names UAMY before forget: the test looks in the wrong place")
	}

	h.command(outsider, leads, "forget <@UAMY|amy>")
	h.told(outsider, "Only assessbot admins")
	h.command(admin, leads, "forget <@UAMY|amy>")
	h.told(admin, "Forgot <@UAMY>: taken out of 1 review")
	if left := keysNaming(t, h.prefix, "UAMY"); len(left) > 0 {
		t.Fatalf("keys still name UAMY after forget: %v", left)
	}
	h.click("UAMY", msg, firstAnswerAction(msg))
	h.told("UAMY", "not a respondent")

	// The same from a shell, against the same Redis.
	t.Setenv("REDIS_URL", redistest.URL())
	t.Setenv("REDIS_PREFIX", h.prefix)
	var out, errs bytes.Buffer
	if err := dispatch(h.ctx, []string{"forget", "UBEN"}, &out, &errs); err != nil {
		t.Fatalf("assessbot forget: %v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "Forgot UBEN: taken out of 1 review") {
		t.Fatalf("assessbot forget printed %q", out.String())
	}
	if left := keysNaming(t, h.prefix, "UBEN"); len(left) > 0 {
		t.Fatalf("keys still name UBEN after assessbot forget: %v", left)
	}
	if err := dispatch(h.ctx, []string{"forget", "bob"}, &out, &errs); err == nil || !strings.Contains(err.Error(), "not a Slack user id") {
		t.Fatalf("assessbot forget bob: %v", err)
	}
}
