package fakeslack

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// File is a file uploaded through files.getUploadURLExternal, the upload URL
// and files.completeUploadExternal.
type File struct {
	// ID is the file ID ("F…").
	ID string
	// Name is the filename given to files.getUploadURLExternal.
	Name string
	// Title is the title given to files.completeUploadExternal.
	Title string
	// AltText is the alt_txt given to files.getUploadURLExternal.
	AltText string
	// Length is the length announced to files.getUploadURLExternal.
	Length int
	// Content is what was uploaded.
	Content []byte
	// Uploaded reports whether content was posted to the upload URL.
	Uploaded bool
	// Completed reports whether files.completeUploadExternal finished it.
	Completed bool
	// Channel, ThreadTS and InitialComment are where it was shared.
	Channel        string
	ThreadTS       string
	InitialComment string
	// ReadyAt is when Slack has processed it after completion: before,
	// an image block naming it is invalid_blocks (SetFileProcessing).
	ReadyAt time.Time
	// Deleted reports whether files.delete removed it.
	Deleted bool
}

// SetFileProcessing makes files ready for image blocks only d after
// files.completeUploadExternal, as on Slack, where an upload is processed
// asynchronously and a message naming the file (slack_file) right after
// completing it can be refused with invalid_blocks ("invalid slack file").
// 0, the default, makes them ready at once.
func (s *Server) SetFileProcessing(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fileProcessing = d
}

// imageMagic are the first bytes of the image formats an image block shows.
var imageMagic = [][]byte{[]byte("\x89PNG"), []byte("\xff\xd8\xff"), []byte("GIF87a"), []byte("GIF89a")}

// usableImageLocked reports whether an image block may show file id: it
// was uploaded and completed here, is not deleted, has been processed, and
// is a png, jpg or gif.
func (s *Server) usableImageLocked(id string) bool {
	f, ok := s.files[id]
	if !ok || !f.Completed || f.Deleted || time.Now().Before(f.ReadyAt) {
		return false
	}
	for _, m := range imageMagic {
		if bytes.HasPrefix(f.Content, m) {
			return true
		}
	}
	return false
}

func (s *Server) filesDelete(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[q.str("file")]
	if !ok || f.Deleted {
		return errResp("file_not_found")
	}
	f.Deleted = true
	return okResp()
}

func newMultipartReader(body []byte, boundary string) (*multipart.Reader, error) {
	if boundary == "" {
		return nil, http.ErrMissingBoundary
	}
	return multipart.NewReader(bytes.NewReader(body), boundary), nil
}

// Files returns the files uploaded so far, oldest first.
func (s *Server) Files() []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []File
	for _, id := range s.fileOrder {
		f := *s.files[id]
		f.Content = bytes.Clone(f.Content)
		out = append(out, f)
	}
	return out
}

func (s *Server) filesGetUploadURLExternal(q *apiRequest) apiResponse {
	length, err := strconv.Atoi(q.str("length"))
	if q.str("filename") == "" || err != nil || length <= 0 {
		return errResp("invalid_arguments")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newIDLocked("F")
	s.files[id] = &File{ID: id, Name: q.str("filename"), AltText: q.str("alt_txt"), Length: length}
	s.fileOrder = append(s.fileOrder, id)
	return okResp("upload_url", s.base+"/upload/"+id, "file_id", id)
}

func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	call := Call{Method: "upload_url", Body: body, At: time.Now(), Params: map[string]string{}}
	if f, ok := s.takeFault("upload_url"); ok && s.applyFault(w, r, f, &call) {
		s.record(call)
		return
	}
	content := body
	if ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		if mr, err := newMultipartReader(body, params["boundary"]); err == nil {
			for {
				part, err := mr.NextPart()
				if err != nil {
					break
				}
				if part.FormName() == "file" || part.FileName() != "" {
					content, _ = io.ReadAll(part)
					call.Params["filename"] = part.FileName()
				}
			}
		}
	}
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	s.mu.Lock()
	f, ok := s.files[id]
	if ok {
		f.Content, f.Uploaded = bytes.Clone(content), true
	}
	s.mu.Unlock()
	if !ok {
		call.Status, call.Err = http.StatusNotFound, "file_not_found"
		http.Error(w, "file_not_found", http.StatusNotFound)
		s.record(call)
		return
	}
	call.Status = http.StatusOK
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, "OK - "+strconv.Itoa(len(content)))
	s.record(call)
}

func (s *Server) filesCompleteUploadExternal(q *apiRequest) apiResponse {
	raw, ok := q.json("files")
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if !ok || json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return errResp("invalid_arguments")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := ""
	if arg := q.str("channel_id"); arg != "" {
		var found bool
		if ch, found = s.resolveChannelLocked(arg); !found {
			return errResp("channel_not_found")
		}
	} else if arg := q.str("channels"); arg != "" {
		var found bool
		if ch, found = s.resolveChannelLocked(strings.Split(arg, ",")[0]); !found {
			return errResp("channel_not_found")
		}
	}
	var c msgContent
	if blocks, ok := q.json("blocks"); ok {
		var er apiResponse
		if c, er = s.parseContent(nil, blocks, nil); er != nil {
			return er
		}
	}
	var out []map[string]any
	var ids []string
	for _, it := range list {
		f, ok := s.files[it.ID]
		if !ok || !f.Uploaded || f.Deleted {
			return errResp("file_not_found")
		}
		title := it.Title
		if title == "" {
			title = f.Name
		}
		out = append(out, map[string]any{"id": f.ID, "title": title})
		ids = append(ids, f.ID)
	}
	for _, it := range list {
		f := s.files[it.ID]
		f.Title, f.Completed, f.ReadyAt = it.Title, true, time.Now().Add(s.fileProcessing)
		if f.Title == "" {
			f.Title = f.Name
		}
		f.Channel, f.ThreadTS, f.InitialComment = ch, q.str("thread_ts"), q.str("initial_comment")
	}
	if ch != "" {
		s.postLocked(Message{Channel: ch, User: s.cfg.botUserID, Text: q.str("initial_comment"),
			Blocks: c.blocks, ThreadTS: q.str("thread_ts"), Files: ids})
	}
	return okResp("files", out)
}
