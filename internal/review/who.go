package review

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// Who names a respondent of a review in a log line, so that an operator
// can follow one delivery without any line pairing a person with a
// review's participation: a pseudonym made with the review's own random
// key (an HMAC of the review and the person), the same for one person all
// through one review and unrelated across reviews. The key is deleted when
// the review is de-linked after its digest, so from then on nothing maps a
// pseudonym back to a person. It is "-" once the review is de-linked, or
// when the store cannot say.
func (s *Service) Who(ctx context.Context, reviewID, user string) string {
	key, err := s.privacy.LogKey(context.WithoutCancel(ctx), reviewID)
	if err != nil || len(key) == 0 {
		return "-"
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(reviewID + "\x00" + user))
	return "p" + hex.EncodeToString(m.Sum(nil)[:5])
}
