package fakeslack

import (
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// TestImageFileLifecycle: an image block may name a file only once Slack
// has processed it (SetFileProcessing), only if it is an image, and not
// once deleted; an image block needs alt text and one source.
func TestImageFileLifecycle(t *testing.T) {
	srv, api := newWorkspace(t)
	ctx := testCtx(t)
	upload := func(content string) string {
		t.Helper()
		f, err := api.UploadFileContext(ctx, slack.UploadFileParameters{Content: content, FileSize: len(content), Filename: "x.png", Title: "X"})
		if err != nil {
			t.Fatal(err)
		}
		return f.ID
	}
	post := func(b slack.Block) string {
		t.Helper()
		_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionBlocks(b))
		if err == nil {
			return ""
		}
		return slackErr(t, err)
	}
	img := func(id, alt string) slack.Block {
		return slack.NewImageBlockSlackFile(&slack.SlackFileObject{ID: id}, alt, "", nil)
	}

	srv.SetFileProcessing(300 * time.Millisecond)
	id := upload("\x89PNG\r\n\x1a\nchart")
	if got := post(img(id, "chart")); got != "invalid_blocks" {
		t.Errorf("a file still processing: %q, want invalid_blocks", got)
	}
	time.Sleep(350 * time.Millisecond)
	if got := post(img(id, "chart")); got != "" {
		t.Errorf("a processed file: %q", got)
	}
	srv.SetFileProcessing(0)

	if got := post(img(upload("just text"), "chart")); got != "invalid_blocks" {
		t.Errorf("a text file in an image block: %q, want invalid_blocks", got)
	}
	if got := post(img(id, "")); got != "invalid_blocks" {
		t.Errorf("no alt text: %q, want invalid_blocks", got)
	}
	both := &slack.ImageBlock{Type: slack.MBTImage, ImageURL: "https://example.com/x.png", AltText: "x", SlackFile: &slack.SlackFileObject{ID: id}}
	if got := post(both); got != "invalid_blocks" {
		t.Errorf("image_url and slack_file: %q, want invalid_blocks", got)
	}

	if err := api.DeleteFileContext(ctx, id); err != nil {
		t.Fatal(err)
	}
	if files := srv.Files(); !files[0].Deleted {
		t.Errorf("files.delete: %+v", files[0])
	}
	if got := post(img(id, "chart")); got != "invalid_blocks" {
		t.Errorf("a deleted file: %q, want invalid_blocks", got)
	}
	if err := api.DeleteFileContext(ctx, id); slackErr(t, err) != "file_not_found" {
		t.Errorf("deleting twice: %v", err)
	}
}
