package cluster_test

import (
	"os"
	"testing"
)

// The proof fails on a data race in this module's code, and only logs one
// wholly inside protoactor-go or gRPC (known upstream races, e.g. every
// remote.Start replacing gRPC's global logger while gRPC clients log).
func TestRaceReportsAreSorted(t *testing.T) {
	for _, tc := range []struct {
		file       string
		ours, them int
	}{
		{"testdata/race-in-dependency.txt", 0, 1},
		{"testdata/race-in-module.txt", 1, 0},
	} {
		raw, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		b := &tailBuffer{max: 1 << 10}
		// Written in pieces, as a process's stderr arrives.
		for i := 0; i < len(raw); i += 100 {
			_, _ = b.Write(raw[i:min(i+100, len(raw))])
		}
		ours, theirs := b.races()
		if len(ours) != tc.ours || len(theirs) != tc.them {
			t.Errorf("%s: got %d reports of ours and %d of dependencies, want %d and %d", tc.file, len(ours), len(theirs), tc.ours, tc.them)
		}
	}
}
