package fakeslack

import (
	"strings"
	"time"
)

// User is a member of the fake workspace.
type User struct {
	// ID is the user ID, e.g. "U123".
	ID string
	// Name is the handle ("jane").
	Name string
	// RealName is the full name ("Jane Doe").
	RealName string
	// TZ is the IANA time zone, e.g. "Europe/Berlin".
	TZ string
	// TZOffset is the offset from UTC in seconds; when 0 and TZ names a known
	// zone, the zone's current offset is reported.
	TZOffset int
	// Email is the user's email address, for users.lookupByEmail.
	Email string
	// IsBot marks bot users.
	IsBot bool
	// Deleted marks deactivated users.
	Deleted bool
	// TeamID is the user's home workspace; "" means this workspace. A
	// user of another team is a Slack Connect external member: users.info
	// answers for them with their own team_id, users.list leaves them out.
	TeamID string
	// EnterpriseID is the user's Enterprise Grid organisation; "" means
	// this workspace's (WithEnterprise), if any.
	EnterpriseID string
	// Stranger marks an external member this workspace knows little of
	// (users.info's is_stranger).
	Stranger bool
	// Status is the user's Slack status, which users.info and users.list
	// return in profile; SetStatus changes it mid-test.
	Status Status
}

// teamOf returns u's team and organisation, those of the workspace unless
// u says otherwise.
func (s *Server) teamOf(u *User) (team, enterprise string) {
	team, enterprise = u.TeamID, u.EnterpriseID
	if team == "" {
		team = s.cfg.teamID
	}
	if enterprise == "" && u.TeamID == "" {
		enterprise = s.cfg.enterpriseID
	}
	return team, enterprise
}

// external reports whether u belongs to another workspace outside
// this one's organisation.
func (s *Server) external(u *User) bool {
	team, enterprise := s.teamOf(u)
	if s.cfg.enterpriseID != "" && enterprise == s.cfg.enterpriseID {
		return false
	}
	return team != s.cfg.teamID || u.Stranger
}

// Status is a Slack status: text, emoji (":palm_tree:") and expiration
// (zero: none). Slack clears a status when it expires; the fake returns it
// as set, so that a bot on a moved clock decides for itself.
type Status struct {
	Text, Emoji string
	Expiration  time.Time
}

// SetStatus sets (or, with a zero Status, clears) a user's status.
func (s *Server) SetStatus(id string, st Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[id]; ok {
		u.Status = st
	}
}

type channel struct {
	id, name  string
	members   []string
	isPrivate bool
	isMPIM    bool
	created   int64
}

type usergroup struct {
	id, handle, name string
	members          []string
}

// AddUser adds u to the workspace, replacing any user with the same ID.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addUserLocked(u)
}

func (s *Server) addUserLocked(u User) {
	if _, ok := s.users[u.ID]; !ok {
		s.userOrder = append(s.userOrder, u.ID)
	}
	if u.Name == "" {
		u.Name = strings.ToLower(u.ID)
	}
	if u.RealName == "" {
		u.RealName = u.Name
	}
	s.users[u.ID] = &u
}

// AddChannel adds a channel (IDs starting with "G" are private) with the
// given members, replacing any channel with the same ID. When members are
// given, chat.postEphemeral to a non-member fails with user_not_in_channel.
func (s *Server) AddChannel(id, name string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[id] = &channel{
		id: id, name: strings.TrimPrefix(name, "#"),
		members:   append([]string(nil), members...),
		isPrivate: strings.HasPrefix(id, "G"),
		created:   time.Now().Unix(),
	}
}

// SetChannelMembers replaces the members of channel id.
func (s *Server) SetChannelMembers(id string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.channels[id]; ok {
		ch.members = append([]string(nil), members...)
	}
}

// AddUsergroup adds a user group (ID "S…") with the given handle and members,
// replacing any group with the same ID.
func (s *Server) AddUsergroup(id, handle string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[id]; !ok {
		s.groupOrder = append(s.groupOrder, id)
	}
	handle = strings.TrimPrefix(handle, "@")
	s.groups[id] = &usergroup{id: id, handle: handle, name: handle, members: append([]string(nil), members...)}
}

// DMChannelID returns the ID of the bot's DM channel with userID: "D"
// followed by the user ID without its first letter.
func DMChannelID(userID string) string {
	if len(userID) < 2 {
		return "D" + userID
	}
	return "D" + userID[1:]
}

// dmUserLocked returns the user whose DM with the bot is channel id.
func (s *Server) dmUserLocked(id string) (string, bool) {
	if !strings.HasPrefix(id, "D") || len(id) < 2 {
		return "", false
	}
	for _, p := range []string{"U", "W"} {
		if _, ok := s.users[p+id[1:]]; ok {
			return p + id[1:], true
		}
	}
	return "", false
}

// resolveChannelLocked maps a channel argument (channel ID, user ID for the
// bot's DM, DM ID, or channel name) to a conversation ID.
func (s *Server) resolveChannelLocked(arg string) (string, bool) {
	switch {
	case arg == "":
		return "", false
	case strings.HasPrefix(arg, "U") || strings.HasPrefix(arg, "W"):
		if _, ok := s.users[arg]; ok {
			return DMChannelID(arg), true
		}
	case strings.HasPrefix(arg, "D"):
		if _, ok := s.dmUserLocked(arg); ok {
			return arg, true
		}
	}
	if _, ok := s.channels[arg]; ok {
		return arg, true
	}
	name := strings.TrimPrefix(arg, "#")
	for id, ch := range s.channels {
		if ch.name == name && !ch.isMPIM {
			return id, true
		}
	}
	return "", false
}

// channelNameLocked returns the name Slack puts in payloads for a channel.
func (s *Server) channelNameLocked(id string) string {
	if ch, ok := s.channels[id]; ok {
		if ch.isMPIM {
			return "mpdm-" + ch.name
		}
		return ch.name
	}
	switch {
	case strings.HasPrefix(id, "D"):
		return "directmessage"
	case strings.HasPrefix(id, "G"):
		return "privategroup"
	}
	return id
}

// membersLocked returns a conversation's members.
func (s *Server) membersLocked(id string) ([]string, bool) {
	if ch, ok := s.channels[id]; ok {
		return ch.members, true
	}
	if u, ok := s.dmUserLocked(id); ok {
		return []string{u, s.cfg.botUserID}, true
	}
	return nil, false
}

func (s *Server) userJSON(u *User) map[string]any {
	offset := u.TZOffset
	label := u.TZ
	if u.TZ != "" {
		if loc, err := time.LoadLocation(u.TZ); err == nil {
			name, off := time.Now().In(loc).Zone()
			if offset == 0 {
				offset = off
			}
			label = name
		}
	}
	team, enterprise := s.teamOf(u)
	out := map[string]any{
		"id":        u.ID,
		"team_id":   team,
		"name":      u.Name,
		"deleted":   u.Deleted,
		"color":     "9f69e7",
		"real_name": u.RealName,
		"tz":        u.TZ,
		"tz_label":  label,
		"tz_offset": offset,
		"profile": map[string]any{
			"real_name":               u.RealName,
			"real_name_normalized":    u.RealName,
			"display_name":            u.Name,
			"display_name_normalized": u.Name,
			"email":                   u.Email,
			"team":                    team,
			"status_text":             u.Status.Text,
			"status_emoji":            u.Status.Emoji,
			"status_expiration":       expiration(u.Status.Expiration),
		},
		"is_admin":            false,
		"is_owner":            false,
		"is_primary_owner":    false,
		"is_restricted":       false,
		"is_ultra_restricted": false,
		"is_bot":              u.IsBot,
		"is_app_user":         false,
		"updated":             time.Now().Unix(),
		"locale":              "en-US",
	}
	if u.Stranger {
		out["is_stranger"] = true
	}
	if enterprise != "" {
		out["enterprise_user"] = map[string]any{"id": u.ID, "enterprise_id": enterprise, "teams": []string{team}}
	}
	return out
}

// expiration is a status expiration as Slack gives it: unix seconds, 0
// for none.
func expiration(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func (s *Server) usersInfo(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q.has("users") { // GetUsersInfo
		var out []map[string]any
		for _, id := range strings.Split(q.str("users"), ",") {
			u, ok := s.users[strings.TrimSpace(id)]
			if !ok {
				return errResp("user_not_found")
			}
			out = append(out, s.userJSON(u))
		}
		return okResp("users", out)
	}
	u, ok := s.users[q.str("user")]
	if !ok {
		return errResp("user_not_found")
	}
	return okResp("user", s.userJSON(u))
}

func (s *Server) usersLookupByEmail(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	email := strings.ToLower(q.str("email"))
	for _, id := range s.userOrder {
		if u := s.users[id]; email != "" && strings.ToLower(u.Email) == email {
			return okResp("user", s.userJSON(u))
		}
	}
	return errResp("users_not_found")
}

func (s *Server) usersList(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	// External members are not the workspace's: users.list leaves them out.
	var own []string
	for _, id := range s.userOrder {
		if !s.external(s.users[id]) {
			own = append(own, id)
		}
	}
	items, next, ok := page(q, own, 0)
	if !ok {
		return errResp("invalid_cursor")
	}
	members := make([]map[string]any, 0, len(items))
	for _, id := range items {
		members = append(members, s.userJSON(s.users[id]))
	}
	return okResp("members", members, "cache_ts", time.Now().Unix(),
		"response_metadata", map[string]any{"next_cursor": next})
}

func (s *Server) conversationsMembers(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.resolveChannelLocked(q.str("channel"))
	if !ok {
		return errResp("channel_not_found")
	}
	members, _ := s.membersLocked(id)
	items, next, ok := page(q, members, 100)
	if !ok {
		return errResp("invalid_cursor")
	}
	return okResp("members", append([]string{}, items...),
		"response_metadata", map[string]any{"next_cursor": next})
}

func (s *Server) channelJSONLocked(id string) map[string]any {
	out := map[string]any{"id": id, "created": time.Now().Unix(), "is_org_shared": false, "is_archived": false}
	if ch, ok := s.channels[id]; ok {
		out["name"] = ch.name
		out["created"] = ch.created
		out["is_channel"] = !ch.isPrivate && !ch.isMPIM
		out["is_group"] = ch.isPrivate && !ch.isMPIM
		out["is_private"] = ch.isPrivate || ch.isMPIM
		out["is_mpim"] = ch.isMPIM
		out["is_im"] = false
		out["is_member"] = contains(ch.members, s.cfg.botUserID)
		out["num_members"] = len(ch.members)
		return out
	}
	if u, ok := s.dmUserLocked(id); ok {
		out["is_im"] = true
		out["is_private"] = true
		out["user"] = u
		out["is_open"] = true
	}
	return out
}

func (s *Server) conversationsInfo(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.resolveChannelLocked(q.str("channel"))
	if !ok || strings.HasPrefix(q.str("channel"), "U") {
		return errResp("channel_not_found")
	}
	return okResp("channel", s.channelJSONLocked(id))
}

// conversationsJoin adds the bot to a public channel, like Slack; private
// channels need an invitation.
func (s *Server) conversationsJoin(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.channels[q.str("channel")]
	if !ok {
		return errResp("channel_not_found")
	}
	if ch.isPrivate {
		return errResp("method_not_supported_for_channel_type")
	}
	if !contains(ch.members, s.cfg.botUserID) {
		ch.members = append(ch.members, s.cfg.botUserID)
	}
	return okResp("channel", s.channelJSONLocked(ch.id))
}

func (s *Server) conversationsOpen(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	var id string
	switch {
	case q.str("channel") != "":
		var ok bool
		if id, ok = s.resolveChannelLocked(q.str("channel")); !ok {
			return errResp("channel_not_found")
		}
	case q.str("users") != "":
		var users []string
		for _, u := range strings.Split(q.str("users"), ",") {
			u = strings.TrimSpace(u)
			usr, ok := s.users[u]
			if !ok {
				return errResp("user_not_found")
			}
			if usr.Deleted {
				return errResp("user_disabled")
			}
			if u != s.cfg.botUserID && !contains(users, u) {
				users = append(users, u)
			}
		}
		switch len(users) {
		case 0:
			return errResp("cannot_dm_bot")
		case 1:
			id = DMChannelID(users[0])
		default:
			if len(users) > 8 {
				return errResp("too_many_users")
			}
			id = "G" + strings.ToUpper(randHex(10))
			for cid, ch := range s.channels {
				if ch.isMPIM && sameSet(ch.members, append([]string{s.cfg.botUserID}, users...)) {
					id = cid
				}
			}
			if _, ok := s.channels[id]; !ok {
				s.channels[id] = &channel{id: id, name: strings.Join(users, "--"), isMPIM: true, isPrivate: true,
					members: append([]string{s.cfg.botUserID}, users...), created: time.Now().Unix()}
			}
		}
	default:
		return errResp("users_list_not_supplied")
	}
	ch := map[string]any{"id": id}
	if q.str("return_im") == "true" {
		ch = s.channelJSONLocked(id)
	}
	return okResp("channel", ch, "no_op", true, "already_open", true)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !contains(b, x) {
			return false
		}
	}
	return true
}

func (s *Server) usergroupsUsersList(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[q.str("usergroup")]
	if !ok {
		return errResp("no_such_subteam")
	}
	return okResp("users", append([]string{}, g.members...))
}

func (s *Server) usergroupsList(q *apiRequest) apiResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, id := range s.groupOrder {
		g := s.groups[id]
		m := map[string]any{
			"id": g.id, "team_id": s.cfg.teamID, "is_usergroup": true, "name": g.name,
			"description": "", "handle": g.handle, "is_external": false,
			"user_count": len(g.members), "prefs": map[string]any{"channels": []string{}, "groups": []string{}},
		}
		if q.str("include_users") == "true" {
			m["users"] = append([]string{}, g.members...)
		}
		out = append(out, m)
	}
	if out == nil {
		out = []map[string]any{}
	}
	return okResp("usergroups", out)
}
