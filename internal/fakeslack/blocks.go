package fakeslack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Block Kit limits, as documented by Slack.
const (
	maxMessageBlocks   = 50
	maxViewBlocks      = 100
	maxSectionText     = 3000
	maxSectionFields   = 10
	maxFieldText       = 2000
	maxHeaderText      = 150
	maxActionsElements = 25
	maxContextElements = 10
	maxChoiceOptions   = 10 // radio_buttons, checkboxes
	maxSelectOptions   = 100
	maxOverflowOptions = 5
	maxOptionText      = 75
	maxOptionValue     = 150
	maxButtonText      = 75
	maxButtonValue     = 2000
	maxURL             = 3000
	maxID              = 255 // block_id, action_id, callback_id, external_id
	maxViewTitle       = 24  // title, submit, close
	maxPrivateMetadata = 3000
	maxLabel           = 2000
	maxPlaceholder     = 150
	maxMessageText     = 40000
	maxAltText         = 2000
)

var interactiveTypes = map[string]bool{
	"button": true, "static_select": true, "multi_static_select": true,
	"external_select": true, "multi_external_select": true,
	"users_select": true, "multi_users_select": true,
	"conversations_select": true, "multi_conversations_select": true,
	"channels_select": true, "multi_channels_select": true,
	"overflow": true, "datepicker": true, "timepicker": true, "datetimepicker": true,
	"radio_buttons": true, "checkboxes": true, "plain_text_input": true,
	"email_text_input": true, "url_text_input": true, "number_input": true,
	"rich_text_input": true, "file_input": true, "workflow_button": true,
}

var knownBlockTypes = map[string]bool{
	"section": true, "divider": true, "image": true, "actions": true, "context": true,
	"input": true, "header": true, "file": true, "rich_text": true, "video": true,
	"markdown": true, "call": true, "table": true,
}

// decodeJSON decodes JSON keeping numbers as json.Number, so a re-encoding
// does not change them.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func arr(v any) []any {
	a, _ := v.([]any)
	return a
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// textOf returns the text of a text object.
func textOf(v any) string { return str(obj(v)["text"]) }

func runes(s string) int { return utf8.RuneCountInString(s) }

type blockChecker struct {
	errs    []string
	strict  bool
	msgIDs  map[string]bool // action_ids across the surface (strict mode)
	blockID map[string]bool
}

func (c *blockChecker) addf(ptr, format string, args ...any) {
	c.errs = append(c.errs, fmt.Sprintf(format, args...)+" [json-pointer:"+ptr+"]")
}

func (c *blockChecker) maxLen(ptr, s string, n int) {
	if runes(s) > n {
		c.addf(ptr, "must be less than %d characters", n+1)
	}
}

func (c *blockChecker) maxItems(ptr string, items []any, n int) {
	if len(items) > n {
		c.addf(ptr, "must be less than %d items", n+1)
	}
}

// checkBlocks validates a blocks array against Slack's limits and returns the
// error messages Slack would give.
func checkBlocks(blocks []any, maxBlocks int, strict bool, ptr string) []string {
	c := &blockChecker{strict: strict, msgIDs: map[string]bool{}, blockID: map[string]bool{}}
	c.maxItems(ptr, blocks, maxBlocks)
	for i, b := range blocks {
		c.block(obj(b), fmt.Sprintf("%s/%d", ptr, i))
	}
	return c.errs
}

func (c *blockChecker) block(b map[string]any, ptr string) {
	if b == nil {
		c.addf(ptr, "must be an object")
		return
	}
	typ := str(b["type"])
	if !knownBlockTypes[typ] {
		c.addf(ptr+"/type", "invalid block type %q", typ)
		return
	}
	if id, ok := b["block_id"]; ok {
		bid := str(id)
		c.maxLen(ptr+"/block_id", bid, maxID)
		if c.blockID[bid] {
			c.addf(ptr+"/block_id", "duplicate block_id %q", bid)
		}
		c.blockID[bid] = true
	}
	blockActionIDs := map[string]bool{}
	switch typ {
	case "section":
		text := textOf(b["text"])
		fields := arr(b["fields"])
		if _, ok := b["text"]; ok {
			c.maxLen(ptr+"/text/text", text, maxSectionText)
		}
		if text == "" && len(fields) == 0 {
			c.addf(ptr, "must provide either text or fields")
		}
		c.maxItems(ptr+"/fields", fields, maxSectionFields)
		for i, f := range fields {
			c.maxLen(fmt.Sprintf("%s/fields/%d/text", ptr, i), textOf(f), maxFieldText)
		}
		if acc := obj(b["accessory"]); acc != nil {
			c.element(acc, ptr+"/accessory", blockActionIDs)
		}
	case "header":
		t := textOf(b["text"])
		c.maxLen(ptr+"/text/text", t, maxHeaderText)
		if t == "" {
			c.addf(ptr+"/text/text", "must be more than 0 characters")
		}
	case "actions":
		els := arr(b["elements"])
		c.maxItems(ptr+"/elements", els, maxActionsElements)
		if len(els) == 0 {
			c.addf(ptr+"/elements", "must be more than 0 items")
		}
		for i, e := range els {
			c.element(obj(e), fmt.Sprintf("%s/elements/%d", ptr, i), blockActionIDs)
		}
	case "context":
		c.maxItems(ptr+"/elements", arr(b["elements"]), maxContextElements)
	case "image":
		c.image(b, ptr)
	case "input":
		c.maxLen(ptr+"/label/text", textOf(b["label"]), maxLabel)
		c.maxLen(ptr+"/hint/text", textOf(b["hint"]), maxLabel)
		if e := obj(b["element"]); e != nil {
			c.element(e, ptr+"/element", blockActionIDs)
		} else {
			c.addf(ptr+"/element", "missing required field: element")
		}
	}
}

// image checks an image block: alt text, and one source (image_url or
// slack_file; which files a slack_file may name is the server's check).
func (c *blockChecker) image(b map[string]any, ptr string) {
	alt := str(b["alt_text"])
	c.maxLen(ptr+"/alt_text", alt, maxAltText)
	if alt == "" {
		c.addf(ptr+"/alt_text", "must be more than 0 characters")
	}
	_, hasURL := b["image_url"]
	_, hasFile := b["slack_file"]
	if hasURL == hasFile {
		c.addf(ptr, "must provide either image_url or slack_file")
	}
	c.maxLen(ptr+"/image_url", str(b["image_url"]), maxURL)
	if t, ok := b["title"]; ok {
		c.maxLen(ptr+"/title/text", textOf(t), maxAltText)
	}
}

func (c *blockChecker) element(e map[string]any, ptr string, blockActionIDs map[string]bool) {
	typ := str(e["type"])
	if !interactiveTypes[typ] {
		return
	}
	if id, ok := e["action_id"]; ok {
		aid := str(id)
		c.maxLen(ptr+"/action_id", aid, maxID)
		dup := blockActionIDs[aid]
		if c.strict {
			dup = c.msgIDs[aid]
		}
		if dup {
			c.addf(ptr+"/action_id", "duplicate action_id %q", aid)
		}
		blockActionIDs[aid] = true
		c.msgIDs[aid] = true
	}
	if p, ok := e["placeholder"]; ok {
		c.maxLen(ptr+"/placeholder/text", textOf(p), maxPlaceholder)
	}
	switch typ {
	case "button", "workflow_button":
		c.maxLen(ptr+"/text/text", textOf(e["text"]), maxButtonText)
		c.maxLen(ptr+"/value", str(e["value"]), maxButtonValue)
		c.maxLen(ptr+"/url", str(e["url"]), maxURL)
	case "radio_buttons", "checkboxes":
		c.options(ptr+"/options", arr(e["options"]), maxChoiceOptions)
	case "static_select", "multi_static_select":
		c.options(ptr+"/options", arr(e["options"]), maxSelectOptions)
		groups := arr(e["option_groups"])
		c.maxItems(ptr+"/option_groups", groups, maxSelectOptions)
		for i, g := range groups {
			c.options(fmt.Sprintf("%s/option_groups/%d/options", ptr, i), arr(obj(g)["options"]), maxSelectOptions)
		}
	case "overflow":
		c.options(ptr+"/options", arr(e["options"]), maxOverflowOptions)
	}
}

func (c *blockChecker) options(ptr string, opts []any, n int) {
	c.maxItems(ptr, opts, n)
	for i, o := range opts {
		m := obj(o)
		p := fmt.Sprintf("%s/%d", ptr, i)
		c.maxLen(p+"/text/text", textOf(m["text"]), maxOptionText)
		c.maxLen(p+"/value", str(m["value"]), maxOptionValue)
		if d, ok := m["description"]; ok {
			c.maxLen(p+"/description/text", textOf(d), maxOptionText)
		}
	}
}

// checkView validates a view (modal or home) and returns Slack's messages.
func checkView(v map[string]any, wantHome bool, strict bool) []string {
	c := &blockChecker{strict: strict, msgIDs: map[string]bool{}, blockID: map[string]bool{}}
	typ := str(v["type"])
	switch {
	case wantHome && typ != "home":
		c.addf("/view/type", "must be home")
	case !wantHome && typ != "modal":
		c.addf("/view/type", "must be modal")
	}
	if typ == "modal" {
		if _, ok := v["title"]; !ok {
			c.addf("/view/title", "missing required field: title")
		}
		for _, f := range []string{"title", "submit", "close"} {
			if t, ok := v[f]; ok {
				c.maxLen("/view/"+f+"/text", textOf(t), maxViewTitle)
			}
		}
	}
	c.maxLen("/view/private_metadata", str(v["private_metadata"]), maxPrivateMetadata)
	c.maxLen("/view/callback_id", str(v["callback_id"]), maxID)
	c.maxLen("/view/external_id", str(v["external_id"]), maxID)
	blocks := arr(v["blocks"])
	c.maxItems("/view/blocks", blocks, maxViewBlocks)
	for i, b := range blocks {
		c.block(obj(b), fmt.Sprintf("/view/blocks/%d", i))
	}
	return c.errs
}

// normalizeBlocks gives every block a block_id and every interactive element
// an action_id, as Slack does when it stores a message or view.
func normalizeBlocks(blocks []any) {
	for _, b := range blocks {
		m := obj(b)
		if m == nil {
			continue
		}
		if str(m["block_id"]) == "" {
			m["block_id"] = randString(5)
		}
		for _, e := range blockElements(m) {
			if interactiveTypes[str(e["type"])] && str(e["action_id"]) == "" {
				e["action_id"] = randString(5)
			}
		}
	}
}

// blockElements returns the elements a block holds: actions' elements, a
// section's accessory, an input's element.
func blockElements(b map[string]any) []map[string]any {
	var out []map[string]any
	switch str(b["type"]) {
	case "actions":
		for _, e := range arr(b["elements"]) {
			if m := obj(e); m != nil {
				out = append(out, m)
			}
		}
	case "section":
		if m := obj(b["accessory"]); m != nil {
			out = append(out, m)
		}
	case "input":
		if m := obj(b["element"]); m != nil {
			out = append(out, m)
		}
	}
	return out
}

// allOptions returns an element's options, including those in option groups.
func allOptions(e map[string]any) []map[string]any {
	var out []map[string]any
	for _, o := range arr(e["options"]) {
		if m := obj(o); m != nil {
			out = append(out, m)
		}
	}
	for _, g := range arr(e["option_groups"]) {
		for _, o := range arr(obj(g)["options"]) {
			if m := obj(o); m != nil {
				out = append(out, m)
			}
		}
	}
	return out
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
