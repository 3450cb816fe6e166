package present

import "github.com/slack-go/slack"

// ChartBlockID is the block_id of the digest's chart.
const ChartBlockID = "chart"

// withheldBlockID is the block_id of the digest's footnote on what the
// disclosure model withheld, its last block.
const withheldBlockID = "withheld"

// WithChart puts the digest's chart into its message: an image block
// showing an uploaded file (slack_file, by id) above the footnote on what
// is withheld, or last when there is none. It returns the blocks
// unchanged and false when the message has no room for another block.
func WithChart(blocks []slack.Block, fileID, alt string) ([]slack.Block, bool) {
	if fileID == "" || !RoomForChart(blocks) {
		return blocks, false
	}
	img := slack.NewImageBlockSlackFile(&slack.SlackFileObject{ID: fileID}, Truncate(alt, MaxAltText), ChartBlockID, nil)
	at := len(blocks)
	if at > 0 && blocks[at-1].ID() == withheldBlockID {
		at--
	}
	out := make([]slack.Block, 0, len(blocks)+1)
	out = append(out, blocks[:at]...)
	out = append(out, img)
	return append(out, blocks[at:]...), true
}

// RoomForChart reports whether a digest message has room for its chart.
func RoomForChart(blocks []slack.Block) bool { return len(blocks) < MaxBlocks }
