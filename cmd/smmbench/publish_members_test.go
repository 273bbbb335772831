//go:build !race

package main

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// TestPublishFailoverAcrossMembers runs publish_failover briefly: three
// publishing members (two in this process, so without -race, see
// members_test.go), the third this test binary re-executed and killed
// mid-window. Nothing may be lost or posted twice.
func TestPublishFailoverAcrossMembers(t *testing.T) {
	lab := publishLab(t)
	var progress bytes.Buffer
	res, err := runPublishFailover(context.Background(), lab, &progress, 15, 60, 12*time.Second)
	if err != nil {
		t.Fatalf("%v\nprogress:\n%s", err, progress.String())
	}
	checkPublishResult(t, res, 60, map[string]string{"lost": "0", "duplicated": "0", "all finished": "yes"})
}
