package redisdb

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// TestInvalidationsReachEveryInstance runs two buses on one Redis: a message
// published by one reaches both, and each becomes healthy only after its
// reset ran (so no instance trusts copies from before it subscribed).
func TestInvalidationsReachEveryInstance(t *testing.T) {
	cs, err := Open(redisURL())
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type got struct {
		mu     sync.Mutex
		msgs   []string
		resets int
	}
	start := func() (*Invalidations, *got) {
		b := cs.NewInvalidations(slog.New(slog.DiscardHandler))
		g := &got{}
		b.OnMessage(func(kind string, args []string) {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.msgs = append(g.msgs, kind+":"+args[0])
		})
		b.OnReset(func(context.Context) error {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.resets++
			return nil
		})
		go b.Run(ctx)
		return b, g
	}
	a, ga := start()
	b, gb := start()
	deadline := time.Now().Add(5 * time.Second)
	for !a.Healthy() || !b.Healthy() {
		if time.Now().After(deadline) {
			t.Fatal("buses did not become healthy within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	want := "test:" + t.Name() + time.Now().Format(time.RFC3339Nano)
	if err := a.Publish(ctx, "test", want[len("test:"):]); err != nil {
		t.Fatal(err)
	}
	for _, g := range []*got{ga, gb} {
		for {
			g.mu.Lock()
			found, resets := false, g.resets
			for _, m := range g.msgs {
				found = found || m == want
			}
			g.mu.Unlock()
			if found {
				if resets != 1 {
					t.Errorf("got %d resets, want 1", resets)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("message %q not received within 5s", want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}
