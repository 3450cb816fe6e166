package handlers

import (
	"bytes"
	"strconv"

	"github.com/assessbot/assessbot/internal/digest"
	"github.com/assessbot/assessbot/internal/present"
	"github.com/assessbot/assessbot/internal/safecsv"
)

// segmentsCSV writes the digest's figures by team: a row per team and
// section, the shown cells' figures as numbers, a withheld cell empty with
// its reason; every other cell opens as text (safecsv).
func segmentsCSV(d digest.Digest) []byte {
	var buf bytes.Buffer
	w := safecsv.NewWriter(&buf, 4, 7) // score, n
	_ = w.Write([]string{"team_id", "team", "section", "section_title", "score", "split", "agreement_band", "n", "withheld"})
	titles := map[string]string{}
	for _, s := range d.Result.Sections {
		titles[s.ID] = s.Title
	}
	for _, s := range d.Segments {
		for _, c := range s.Cells {
			row := []string{s.ID, present.SegmentLabel(s), c.Section, titles[c.Section], "", "", "", "", string(c.Why)}
			if c.Score != nil && c.Why == "" && s.Shown() {
				row[4], row[5], row[6], row[7] = strconv.FormatFloat(*c.Score, 'f', 4, 64), strconv.FormatBool(c.Split), string(c.Band), strconv.Itoa(c.N)
			}
			_ = w.Write(row)
		}
	}
	w.Flush()
	return buf.Bytes()
}
