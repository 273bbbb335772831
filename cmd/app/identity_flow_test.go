package app_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/socialmediamanager/smm/cmd/app/apptest"
)

var emailSeq atomic.Int64

// uniqueEmail returns an address no other test of the package uses.
func uniqueEmail(t *testing.T) string {
	return fmt.Sprintf("user%d.%s@example.com", emailSeq.Add(1), strings.ToLower(strings.ReplaceAll(t.Name(), "/", ".")))
}

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

type registered struct {
	User struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	} `json:"user"`
	Organization struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"organization"`
	Tokens tokens `json:"tokens"`
}

func register(t *testing.T, c apiClient, email string) registered {
	t.Helper()
	var out registered
	c.do("POST", "/api/v1/auth/register", map[string]string{
		"email": email, "password": "correct horse battery", "name": "Test User", "organization_name": "Org of " + email,
	}).into(t, 201, &out)
	return out
}

func TestRegisterLoginRefreshLogout(t *testing.T) {
	s := apptest.Start(t)
	c := apiClient{t: t, base: s.URL}
	email := uniqueEmail(t)
	reg := register(t, c, "  "+strings.ToUpper(email)+" ")
	if reg.User.Email != email || reg.Tokens.TokenType != "Bearer" || reg.Tokens.ExpiresIn != 900 {
		t.Fatalf("got %+v, want the normalised email and a 15-minute bearer token", reg)
	}

	var me struct {
		User               struct{ Email string } `json:"user"`
		Role               string                 `json:"role"`
		ActiveOrganization struct{ ID string }    `json:"active_organization"`
	}
	c.do("GET", "/api/v1/me", nil, bearer(reg.Tokens.AccessToken)).into(t, 200, &me)
	if me.Role != "owner" || me.ActiveOrganization.ID != reg.Organization.ID {
		t.Errorf("got me %+v, want owner of %s", me, reg.Organization.ID)
	}

	// Same email again, any case: conflict on the email field.
	r := c.do("POST", "/api/v1/auth/register", map[string]string{"email": strings.ToUpper(email), "password": "correct horse battery", "name": "X", "organization_name": "Y"})
	if r.Status != 409 || r.Errors[0].Field != "email" {
		t.Errorf("got %d %s, want 409 on email", r.Status, r.Raw)
	}

	var pair tokens
	c.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "correct horse battery"}).into(t, 200, &pair)

	var next tokens
	c.do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": pair.RefreshToken}).into(t, 200, &next)
	if next.RefreshToken == pair.RefreshToken || next.AccessToken == pair.AccessToken {
		t.Errorf("got the same tokens after refresh, want new ones")
	}
	c.do("POST", "/api/v1/auth/logout", nil, bearer(next.AccessToken)).into(t, 200, nil)
	if r := c.do("GET", "/api/v1/me", nil, bearer(next.AccessToken)); r.Status != 401 {
		t.Errorf("got %d for a logged-out token, want 401", r.Status)
	}
	if r := c.do("POST", "/api/v1/auth/refresh", map[string]string{"refresh_token": next.RefreshToken}); r.Status != 401 {
		t.Errorf("got %d refreshing a logged-out family, want 401", r.Status)
	}
}

// TestRegisterNamesEveryBadField sends bad input: every violation comes back
// at once, each naming its field, and nothing is created.
func TestRegisterNamesEveryBadField(t *testing.T) {
	s := apptest.Start(t)
	c := apiClient{t: t, base: s.URL}
	tests := []struct {
		name   string
		body   any
		fields string
	}{
		{"all bad", map[string]string{"email": "not-an-email", "password": "short", "name": "", "organization_name": ""}, "email,password,name,organization_name"},
		{"password too long for bcrypt", map[string]string{"email": "a@example.com", "password": strings.Repeat("p", 73), "name": "A", "organization_name": "B"}, "password"},
		{"unknown field", `{"email":"a@example.com","password":"correct horse battery","name":"A","organization_name":"B","admin":true}`, "admin"},
		{"wrong type", `{"email":1}`, "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do("POST", "/api/v1/auth/register", tt.body)
			var fields []string
			for _, e := range r.Errors {
				fields = append(fields, e.Field)
			}
			if r.Status != 400 || strings.Join(fields, ",") != tt.fields {
				t.Errorf("got %d with fields %v, want 400 with %s", r.Status, fields, tt.fields)
			}
		})
	}
	if r := login(t, c, "a@example.com", "correct horse battery"); r.Status != 401 {
		t.Errorf("got %d logging in as a refused registration, want 401 (nothing created)", r.Status)
	}
}
