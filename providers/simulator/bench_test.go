package simulator

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestIssueAccessToken checks that a minted token is a usable access token
// of a new user, accepted by each provider's authenticated endpoints.
func TestIssueAccessToken(t *testing.T) {
	sim := New(Config{})
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	tests := []struct {
		provider, method, path string
	}{
		{Instagram, http.MethodGet, "/instagram/graph/v23.0/me?fields=id,username"},
		{TikTok, http.MethodPost, "/tiktok/open/v2/post/publish/creator_info/query/"},
		{YouTube, http.MethodGet, "/google/www/youtube/v3/channels?part=snippet&mine=true"},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			id, token := sim.IssueAccessToken(tt.provider, "bench", time.Hour)
			other, _ := sim.IssueAccessToken(tt.provider, "bench", time.Hour)
			if id == "" || token == "" || other == id {
				t.Fatalf("got user %q token %q (another %q), want a new user and a token each time", id, token, other)
			}
			if u := sim.userByID(tt.provider, id); u == nil || u.Username != "bench" {
				t.Fatalf("got user %+v, want one named bench", u)
			}
			if tok, problem := sim.lookup(tt.provider, "access", token); problem != TokenOK || tok.ExternalID != id {
				t.Fatalf("got problem %v for the minted token, want a usable access token of %s", problem, id)
			}
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s %s: got %d, want 200", tt.method, tt.path, resp.StatusCode)
			}
		})
	}
	defer func() {
		if recover() == nil {
			t.Error("an unknown provider must panic")
		}
	}()
	sim.IssueAccessToken("myspace", "bench", time.Hour)
}
