package store

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/assessbot/assessbot/internal/assessment"
)

// ImportResponses writes answers as they would be after every click, in
// pipelines of a few hundred respondents, without the checks of SaveAnswer
// (open review, respondent, replicas): for the load tool and tests that
// seed a large review. Each response's answers replace nothing else; a
// Submitted response is marked submitted.
func (s *Redis) ImportResponses(ctx context.Context, reviewID string, rs []assessment.Response) error {
	const batch = 200
	for start := 0; start < len(rs); start += batch {
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, r := range rs[start:min(start+batch, len(rs))] {
				fields := make([]any, 0, 2*len(r.Answers))
				for q, a := range r.Answers {
					if a.Option != "" || a.Text != "" {
						f, v := encodeAnswer(q, assessment.Answer{Option: a.Option, Text: a.Text}, false)
						fields = append(fields, f, v)
					}
					if a.Comment != "" {
						f, v := encodeAnswer(q, a, true)
						fields = append(fields, f, v)
					}
				}
				if len(fields) > 0 {
					p.HSet(ctx, s.rkey(reviewID, "ans:"+r.Respondent), fields...)
				}
				if r.Submitted {
					p.SAdd(ctx, s.rkey(reviewID, "submitted"), r.Respondent)
				}
			}
			return nil
		})
		if err != nil {
			return wrap("import responses "+reviewID, err)
		}
	}
	return nil
}

// ReadRaw reads every respondent's stored answers and the submitted set in
// one pipeline without decoding them: the Redis floor under Responses, for
// the load tool. It returns how many hash fields came back.
func (s *Redis) ReadRaw(ctx context.Context, r *assessment.Review) (int, error) {
	cmds := make([]*redis.MapStringStringCmd, len(r.Respondents))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, u := range r.Respondents {
			cmds[i] = p.HGetAll(ctx, s.rkey(r.ID, "ans:"+u))
		}
		p.SMembers(ctx, s.rkey(r.ID, "submitted"))
		return nil
	})
	n := 0
	for _, c := range cmds {
		n += len(c.Val())
	}
	return n, wrap("read answers "+r.ID, err)
}
