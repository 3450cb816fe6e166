package digest_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/assessbot/assessbot/internal/scoring"
)

func TestScratch(t *testing.T) {
	levels := [][]float64{{0, 1}, {0, 0.5, 1}, {0, 1.0 / 3, 2.0 / 3, 1}}
	for _, lv := range levels {
		var rec func(prefix []float64, start int)
		rec = func(prefix []float64, start int) {
			if len(prefix) >= 2 {
				d := scoring.Divergence(prefix)
				for _, th := range []float64{0.8, 0.5, 0.2} {
					if d < th && th-d < 1e-9 {
						fmt.Println("BELOW", th, prefix, d)
					}
				}
				_ = math.Abs
			}
			if len(prefix) == 10 {
				return
			}
			for i := start; i < len(lv); i++ {
				rec(append(append([]float64{}, prefix...), lv[i]), i)
			}
		}
		rec(nil, 0)
	}
}
