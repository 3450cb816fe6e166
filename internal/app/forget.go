package app

import (
	"context"
	"errors"
	"io"
	"os"

	"github.com/assessbot/assessbot/internal/store"
)

// Forget removes a person from every review, queue and index of the store
// at REDIS_URL (with REDIS_MODE and REDIS_PREFIX), as `assessbot forget`
// does; it returns the reviews they were taken out of and the jobs dropped.
func Forget(ctx context.Context, user string, logs io.Writer) (reviews []string, jobs int, err error) {
	c := Config{RedisURL: os.Getenv("REDIS_URL"), RedisMode: os.Getenv("REDIS_MODE"), RedisPrefix: os.Getenv("REDIS_PREFIX")}
	if c.RedisURL == "" {
		return nil, 0, errors.New("REDIS_URL is not set: point it at the bot's Redis (the embedded one keeps nothing to forget)")
	}
	c.fillDefaults()
	c.tidy()
	m := NewMain(c, logs)
	if err := m.openRedis(ctx); err != nil {
		return nil, 0, err
	}
	defer m.rdb.Close()
	return store.New(m.rdb, c.RedisPrefix).Forget(ctx, user)
}
