package simulator

import "time"

// benchScopes are every scope a provider's simulated endpoints check, so a
// token minted by IssueAccessToken passes them all, as one granted through
// the authorize page with the service's default scopes does.
var benchScopes = map[string][]string{
	Instagram: {"instagram_business_basic", "instagram_business_content_publish",
		"instagram_business_manage_comments", "instagram_business_manage_insights"},
	TikTok:  {"user.info.basic", "video.publish", "video.upload", "video.list"},
	YouTube: {ytScopeUpload, ytScopeYouTube, ytScopeReadonly, ytScopeForceSSL, ytScopeAnalytics},
}

// IssueAccessToken creates a new user of provider named username and
// returns its external id and an access token with every scope the
// simulator checks, valid for ttl (0: no expiry). Benchmarks connect tens
// of thousands of accounts this way, writing the sealed token straight to
// the database, instead of driving each through the browser flow; it
// always creates a new user (unlike the authorize page's sim_user, which
// reuses one by name), so minting many costs no lookup by name. It panics
// on an unknown provider, a programming error.
func (s *Simulator) IssueAccessToken(provider, username string, ttl time.Duration) (userID, token string) {
	scopes, ok := benchScopes[provider]
	if !ok {
		panic("simulator: IssueAccessToken of unknown provider " + provider)
	}
	if username == "" {
		username = randomID("user", 4)
	}
	u := &User{Provider: provider, ExternalID: externalID(provider), Username: username, Name: username}
	s.mu.Lock()
	s.users[provider+"/"+u.ExternalID] = u
	s.mu.Unlock()
	t := s.issue(provider, "access", u, append([]string(nil), scopes...), ttl, nil)
	return u.ExternalID, t.Value
}
