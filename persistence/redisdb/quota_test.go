package redisdb

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestDailyQuota reserves from a quota shared by many callers at once (as
// nodes share YouTube's project quota): exactly as many reservations fit as
// the limit allows, the refused ones say when the quota resets, and a new
// day starts afresh.
func TestDailyQuota(t *testing.T) {
	ctx := context.Background()
	cs, err := Open(redisURL())
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	pacific, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("test-%d", time.Now().UnixNano())
	q := NewDailyQuota(cs.RateLimits, name, 10000, pacific)
	day := time.Date(2026, 11, 29, 23, 0, 0, 0, pacific)
	q.now = func() time.Time { return day }
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, reset, err := q.Reserve(ctx, 1600)
			if err != nil {
				t.Error(err)
				return
			}
			if !ok && reset != time.Hour {
				t.Errorf("got reset in %s, want 1h (midnight Pacific)", reset)
			}
			if ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if granted != 6 {
		t.Errorf("got %d uploads granted, want 6 (10000 / 1600)", granted)
	}
	if used, err := q.Used(ctx); err != nil || used != 9600 {
		t.Errorf("got %d used (%v), want 9600", used, err)
	}
	q.now = func() time.Time { return day.Add(2 * time.Hour) }
	if ok, _, err := q.Reserve(ctx, 1600); err != nil || !ok {
		t.Errorf("next day: got %v, %v; want granted", ok, err)
	}
}
