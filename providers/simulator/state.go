package simulator

import (
	"sort"
	"time"
)

// User is an account on a simulated provider. The authorize page creates
// it on first use: `sim_user=NAME` on the authorize URL picks who signs in
// (the same name is the same account, so reconnecting is testable), and
// defaults to a fresh one.
type User struct {
	Provider   string `json:"provider"`
	ExternalID string `json:"external_id"`
	Username   string `json:"username"`
	Name       string `json:"name"`
}

// Token is an access or refresh token the simulator issued.
type Token struct {
	Value      string    `json:"-"`
	Provider   string    `json:"provider"`
	Kind       string    `json:"kind"` // "access", "refresh", "short" (Instagram), "code"
	ExternalID string    `json:"external_id"`
	Scopes     []string  `json:"scopes"`
	IssuedAt   time.Time `json:"issued_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	Revoked    bool      `json:"revoked"`
	// Used marks a code or rotated refresh token already exchanged.
	Used bool `json:"used"`
	// Extra holds what a grant carried (redirect_uri, code_challenge).
	Extra map[string]string `json:"-"`
}

// Publication is something that reached the simulated network: what a test
// asserts on.
type Publication struct {
	Provider   string            `json:"provider"`
	ExternalID string            `json:"account"` // the user's external id
	ID         string            `json:"id"`      // media id, publish id, video id
	Kind       string            `json:"kind"`    // IMAGE, REELS, STORIES, CAROUSEL, VIDEO, PHOTO
	Caption    string            `json:"caption"`
	Media      []string          `json:"media"` // URLs, or "upload:N bytes"
	Options    map[string]string `json:"options,omitempty"`
	At         time.Time         `json:"at"`
}

// State is everything the simulator holds, for tests and GET /_sim/state.
// Token values are left out.
type State struct {
	Users     []User            `json:"users"`
	Tokens    []Token           `json:"tokens"`
	Published []Publication     `json:"published"`
	Faults    map[string]Faults `json:"faults"`
}

// State returns a copy of the simulator's state.
func (s *Simulator) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Faults: map[string]Faults{}}
	for _, u := range s.users {
		st.Users = append(st.Users, *u)
	}
	sort.Slice(st.Users, func(i, j int) bool { return st.Users[i].ExternalID < st.Users[j].ExternalID })
	for _, t := range s.tokens {
		st.Tokens = append(st.Tokens, *t)
	}
	sort.Slice(st.Tokens, func(i, j int) bool { return st.Tokens[i].IssuedAt.Before(st.Tokens[j].IssuedAt) })
	st.Published = append([]Publication(nil), s.published...)
	for p, f := range s.faults {
		st.Faults[p] = *f
	}
	return st
}

// Published lists what reached provider's simulated network, in order
// ("" for every provider).
func (s *Simulator) Published(provider string) []Publication {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Publication
	for _, p := range s.published {
		if provider == "" || p.Provider == provider {
			out = append(out, p)
		}
	}
	return out
}

// Reset forgets everything: users, tokens, publications, faults.
func (s *Simulator) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reset()
}

// user returns provider's user named name, creating it.
func (s *Simulator) user(provider, name string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == "" {
		name = randomID("user", 4)
	}
	for _, u := range s.users {
		if u.Provider == provider && u.Username == name {
			return u
		}
	}
	u := &User{Provider: provider, ExternalID: externalID(provider), Username: name, Name: name}
	s.users[provider+"/"+u.ExternalID] = u
	return u
}

// userByID returns provider's user with that external id, or nil.
func (s *Simulator) userByID(provider, id string) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[provider+"/"+id]
}

// externalID is an id in the provider's style.
func externalID(provider string) string {
	switch provider {
	case Instagram:
		return randomDigits(17)
	case TikTok:
		return randomID("-000", 12)
	default:
		return "UC" + randomID("", 11)
	}
}

func randomDigits(n int) string {
	b := []byte(randomID("", n))
	for i := range b {
		b[i] = '1' + b[i]%9
	}
	return string(b[:n])
}

// issue creates a token of kind for user, valid for ttl (0: no expiry).
func (s *Simulator) issue(provider, kind string, u *User, scopes []string, ttl time.Duration, extra map[string]string) *Token {
	now := s.cfg.Now()
	t := &Token{Value: randomID(tokenPrefix(provider, kind), 24), Provider: provider, Kind: kind,
		ExternalID: u.ExternalID, Scopes: scopes, IssuedAt: now, Extra: extra}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl)
	}
	s.mu.Lock()
	s.tokens[t.Value] = t
	s.mu.Unlock()
	return t
}

func tokenPrefix(provider, kind string) string {
	switch provider {
	case Instagram:
		return "IGA" + kind[:1] + "-"
	case TikTok:
		return "act." + kind[:1] + "-"
	}
	return "ya29." + kind[:1] + "-"
}

// TokenProblem is why a presented token is refused.
type TokenProblem int

// Token problems, in the order they are checked.
const (
	TokenOK TokenProblem = iota
	TokenUnknown
	TokenRevoked
	TokenUsed
	TokenExpired
)

// lookup finds the token value of kind for provider and says whether it is
// usable now.
func (s *Simulator) lookup(provider, kind, value string) (*Token, TokenProblem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[value]
	switch {
	case t == nil || t.Provider != provider || t.Kind != kind:
		return nil, TokenUnknown
	case t.Revoked:
		return t, TokenRevoked
	case t.Used:
		return t, TokenUsed
	case !t.ExpiresAt.IsZero() && !s.cfg.Now().Before(t.ExpiresAt):
		return t, TokenExpired
	}
	return t, TokenOK
}

// markUsed marks a code or a rotated refresh token as spent; it reports
// false when it already was (two concurrent exchanges: one wins).
func (s *Simulator) markUsed(t *Token) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Used {
		return false
	}
	t.Used = true
	return true
}

// revoke revokes every token of provider's user (a revoke endpoint, or the
// "revoke_refresh" fault).
func (s *Simulator) revoke(provider, externalID string, kinds ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t.Provider == provider && t.ExternalID == externalID && (len(kinds) == 0 || contains(kinds, t.Kind)) {
			t.Revoked = true
		}
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// record stores a publication.
func (s *Simulator) record(p Publication) {
	if p.At.IsZero() {
		p.At = s.cfg.Now()
	}
	s.mu.Lock()
	s.published = append(s.published, p)
	s.mu.Unlock()
}

// allow counts one event under key within a sliding window and says
// whether it fits within limit; when not, how long until it would.
func (s *Simulator) allow(key string, limit int, window time.Duration) (bool, time.Duration) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	events := s.windows[key]
	i := 0
	for i < len(events) && !events[i].After(now.Add(-window)) {
		i++
	}
	events = events[i:]
	if len(events) >= limit {
		s.windows[key] = events
		return false, events[0].Add(window).Sub(now)
	}
	s.windows[key] = append(events, now)
	return true, 0
}

// spend takes units of a daily quota (YouTube's, reset at midnight
// Pacific); false when they are not left.
func (s *Simulator) spend(key string, units, limit int) bool {
	pacific, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		pacific = time.FixedZone("PST", -8*3600)
	}
	day := s.cfg.Now().In(pacific).Format(time.DateOnly)
	s.mu.Lock()
	defer s.mu.Unlock()
	if day != s.quotaDay {
		s.quotaDay, s.quota = day, map[string]int{}
	}
	if s.quota[key]+units > limit {
		return false
	}
	s.quota[key] += units
	return true
}

// object and putObject keep provider-specific records (containers,
// upload sessions, publish jobs) by id.
func (s *Simulator) object(id string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[id]
}

func (s *Simulator) putObject(id string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[id] = v
}

// update runs fn under the simulator's lock (to change an object in place).
func (s *Simulator) update(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn()
}

// IssuedSecrets returns the value of every token and code the simulator
// issued: a test scans logs and responses for them.
func (s *Simulator) IssuedSecrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.tokens))
	for v := range s.tokens {
		out = append(out, v)
	}
	return out
}
