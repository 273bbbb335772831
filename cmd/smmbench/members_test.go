//go:build !race

package main

import "testing"

// The tests in this file run several protoactor members (remotes) in one
// process. protoactor-go v0.0.0-20240822202345 races with itself there
// (remote.Start replaces gRPC's global logger while another remote's gRPC
// server logs; disthash's Manager.Get reads the rendezvous table its
// topology handler replaces), so the race detector would report upstream
// races, not ours. They are built without -race only: `make test` runs
// them in a second step, `go test -count=1 -run AcrossMembers
// ./cmd/smmbench`. The members of the cluster's own multi-node proof run
// in separate processes, under -race (package cluster).

// TestEchoActorsAcrossMembers runs the remote round trip's reference
// briefly, between two actor systems over remoting.
func TestEchoActorsAcrossMembers(t *testing.T) { echoActorsSmoke(t, true) }

// TestGrainScenariosAcrossMembers runs, briefly, the scenarios of several
// members: grain calls across nodes, and a real kill of a child member
// (this test binary, re-executed).
func TestGrainScenariosAcrossMembers(t *testing.T) {
	grainScenariosSmoke(t, func(name string) bool { return acrossMembers[name] })
}
