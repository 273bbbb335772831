package redisdb

import (
	"context"
	"net"
	"os"
	"testing"

	"github.com/socialmediamanager/smm/domain"
)

func redisURL() string {
	if u := os.Getenv("SMM_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379"
}

// TestFourDatabasesFromOneURL writes a key through each client and checks it
// landed in that client's database number only.
func TestFourDatabasesFromOneURL(t *testing.T) {
	ctx := context.Background()
	cs, err := Open(redisURL() + "/9") // a database number in the URL is ignored
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if err := cs.Ping(ctx); err != nil {
		t.Fatalf("got %v, want Redis reachable (run make test, which starts it)", err)
	}
	key := "smm:test:redisdb:" + t.Name()
	for want, c := range cs.All() {
		if got := c.Options().DB; got != want {
			t.Errorf("got client %d on database %d, want %d", want, got, want)
		}
		if err := c.Set(ctx, key, want, 0).Err(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Del(context.Background(), key) })
	}
	for want, c := range cs.All() {
		got, err := c.Get(ctx, key).Int()
		if err != nil || got != want {
			t.Errorf("got %d, %v in database %d, want %d", got, err, want, want)
		}
	}
}

func TestUnreachableRedisIsUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cs, err := Open("redis://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if code := domain.ErrorCode(cs.Ping(context.Background())); code != domain.CodeUnavailable {
		t.Errorf("got %s, want unavailable", code)
	}
}

func TestBadURL(t *testing.T) {
	if _, err := Open("not a url"); err == nil {
		t.Errorf("got nil error for a malformed URL, want one")
	}
}
