package actors_test

import (
	"testing"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/actors"
)

// Children share one Props per kind and read their account from their
// name: the name must round-trip, and nothing else may pass for a child.
func TestChildOf(t *testing.T) {
	account := uuid.MustParse("0193a2f4-1c2d-7e3f-8a9b-0c1d2e3f4a5b")
	for _, tc := range []struct {
		id      string
		kind    string
		account uuid.UUID
		ok      bool
	}{
		{"partition-activator/" + uuid.NewString() + "$1/account-" + account.String(), actors.ChildAccount, account, true},
		{"org/sync-" + account.String(), actors.ChildSync, account, true},
		{"org/mailer-" + account.String(), "", uuid.Nil, false},
		{"org/account-not-a-uuid", "", uuid.Nil, false},
		{"org", "", uuid.Nil, false},
	} {
		kind, got, err := actors.ChildOf(actor.NewPID("127.0.0.1:1", tc.id))
		if (err == nil) != tc.ok || kind != tc.kind || got != tc.account {
			t.Errorf("ChildOf(%q): got %q, %s, %v; want %q, %s, ok=%v", tc.id, kind, got, err, tc.kind, tc.account, tc.ok)
		}
	}
}
