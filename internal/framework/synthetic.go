package framework

import (
	"fmt"
	"strings"

	"github.com/assessbot/assessbot/internal/assessment"
)

// Synthetic builds a framework of sections × perSection questions,
// alternately yes/no and on a five-level scale, with two bands: the shape
// the benchmarks and the load tool measure, made in one place.
func Synthetic(id string, sections, perSection int) (*assessment.Framework, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "id: %s\ntitle: %q\nscales:\n  five:\n    options:\n", id, "Synthetic "+id)
	for i := range 5 {
		fmt.Fprintf(&b, "      - {id: l%d, label: \"Level %d\"}\n", i, i)
	}
	b.WriteString("sections:\n")
	for s := range sections {
		fmt.Fprintf(&b, "  - id: s%d\n    title: \"Section %d\"\n    questions:\n", s, s)
		for q := range perSection {
			scale := "yesno"
			if q%2 == 1 {
				scale = "five"
			}
			fmt.Fprintf(&b, "      - {id: s%d-q%d, text: \"Question %d.%d?\", scale: %s}\n", s, q, s, q, scale)
		}
	}
	b.WriteString("bands:\n  - {min: 0, label: Low}\n  - {min: 50, label: High}\n")
	return Parse(id+".yaml", []byte(b.String()))
}
