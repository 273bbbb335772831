package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/socialmediamanager/smm/persistence/pgtest"
	"github.com/socialmediamanager/smm/providers/simulator"
)

func TestMinuteLateness(t *testing.T) {
	base := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		at   time.Time
		want time.Duration
	}{
		{base, 0},
		{base.Add(time.Millisecond), time.Minute - time.Millisecond},
		{base.Add(59 * time.Second), time.Second},
		{base.Add(30*time.Second + 250*time.Millisecond), 29*time.Second + 750*time.Millisecond},
	}
	for _, tt := range tests {
		if got := minuteLateness(tt.at); got != tt.want {
			t.Errorf("minuteLateness(%s) = %s, want %s", tt.at.Format(time.TimeOnly+".000"), got, tt.want)
		}
	}
}

func TestTallyPosts(t *testing.T) {
	a, b, c := uuid.New(), uuid.New(), uuid.New()
	posts := []simulator.Publication{
		{Caption: captionMarker + a.String() + " — scheduled"},
		{Caption: captionMarker + b.String()},
		{Caption: "prefix " + captionMarker + b.String() + " #tag"},
		{Caption: "someone else's post"},
		{Caption: captionMarker + "not-a-uuid"},
	}
	tl := tallyPosts(posts)
	lost, dup := tl.lostAndDuplicated([]uuid.UUID{a, b, c})
	if lost != 1 || dup != 1 || tl.foreign != 2 {
		t.Errorf("got lost %d, duplicated %d, foreign %d; want 1, 1, 2", lost, dup, tl.foreign)
	}
}

func TestPlanPublishFixture(t *testing.T) {
	window := time.Minute
	fx := planPublishFixture(10, 95, window, 42)
	if len(fx.orgs) != 10 || len(fx.pubs) != 95 {
		t.Fatalf("got %d organizations and %d publications, want 10 and 95", len(fx.orgs), len(fx.pubs))
	}
	if got := fx.maxPerAccount(); got != 4 {
		t.Errorf("got at most %d publications per account, want 4 (95 over 30 accounts, in turn)", got)
	}
	for _, p := range fx.pubs {
		if p.offset < 0 || p.offset >= window || p.offset != p.offset.Truncate(time.Microsecond) {
			t.Fatalf("got offset %s, want within [0, %s) in whole microseconds", p.offset, window)
		}
	}
	order := fx.orgsByFirstDue()
	first := func(org uuid.UUID) time.Duration {
		m := window
		for _, i := range fx.byOrg[org] {
			m = min(m, fx.pubs[i].offset)
		}
		return m
	}
	for i := 1; i < len(order); i++ {
		if first(order[i]) < first(order[i-1]) {
			t.Fatalf("organizations not ordered by their first publication at %d", i)
		}
	}
	again := planPublishFixture(10, 95, window, 42)
	for i := range fx.pubs {
		if again.pubs[i].offset != fx.pubs[i].offset {
			t.Fatal("the same seed must give the same publish times")
		}
	}
}

func TestPublishFlags(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		quick bool
		want  PublishOptions
		err   string
	}{
		{"defaults", nil, false, publishDefaults, ""},
		{"quick", nil, true, publishQuick, ""},
		{"quick keeps what is set", []string{"-publish-orgs", "7"}, true,
			PublishOptions{Orgs: 7, Count: publishQuick.Count, Window: publishQuick.Window, FailoverOrgs: publishQuick.FailoverOrgs,
				FailoverCount: publishQuick.FailoverCount, FailoverWindow: publishQuick.FailoverWindow}, ""},
		{"too small", []string{"-publish-window", "10ms"}, false, PublishOptions{}, "-publish-window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl := flag.NewFlagSet("t", flag.ContinueOnError)
			f := registerPublishFlags(fl)
			if err := fl.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			set := map[string]bool{}
			fl.Visit(func(f *flag.Flag) { set[f.Name] = true })
			got, err := f.resolve(tt.quick, set)
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("got error %v, want one naming %s", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case got != tt.want:
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPublishMarkdown(t *testing.T) {
	res := Result{Scenario: "publish_window", Section: SectionPublishWindow, Requests: 10,
		Extra: []Metric{{"lateness p99", "5.00 ms"}, {"goal p99 ≤ 1 s", "met"}}, ErrorCauses: []string{"lost: 1 publications"}}
	rep := Report{Info: RunInfo{Command: "go run ./cmd/smmbench -scenarios publish_window", ServiceLogLevel: "warn"},
		Results: []Result{res}, Docs: map[string]string{"publish_window": "one node"}}
	if got := rep.Sections(); strings.Join(got, ",") != SectionPublishWindow {
		t.Errorf("got sections %q, want %q", got, SectionPublishWindow)
	}
	got := rep.Markdown(SectionPublishWindow)
	for _, want := range []string{
		"- Command: `go run ./cmd/smmbench -scenarios publish_window`",
		"- `publish_window`: one node\n",
		"| figure | value |\n|---|--:|\n| lateness p99 | 5.00 ms |\n| goal p99 ≤ 1 s | met |\n",
		"- `publish_window`: lost: 1 publications\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("got\n%s\nwant it to contain\n%s", got, want)
		}
	}
	if strings.Contains(got, "baseline (mean)") {
		t.Errorf("got the HTTP layout:\n%s", got)
	}
}

// TestPublishWindowSmoke publishes a small window on one node end to end
// (fixture, service, simulator) and checks the engine's promises at that
// scale: nothing lost, nothing duplicated, p99 lateness under 2 s.
func TestPublishWindowSmoke(t *testing.T) {
	lab := publishLab(t)
	var progress bytes.Buffer
	res, err := runPublishWindow(context.Background(), lab, &progress, 20, 60, 3*time.Second)
	if err != nil {
		t.Fatalf("%v\nprogress:\n%s", err, progress.String())
	}
	checkPublishResult(t, res, 60, map[string]string{"lost": "0", "duplicated": "0", "goal 0 lost, 0 duplicated": "met"})
	if res.P99 >= 2*time.Second {
		t.Errorf("got p99 lateness %s, want under 2s", res.P99)
	}
	if !strings.HasPrefix(extraOf(res)["first claims observed"], "60 of 60") {
		t.Errorf("got first claims %q, want 60 of 60", extraOf(res)["first claims observed"])
	}
	// Nothing is left for a sweep to wake.
	if due, err := lab.store.OrgsWithDuePublications(context.Background(), time.Now().Add(48*time.Hour), true); err != nil || len(due) != 0 {
		t.Errorf("got %d organizations left with work (%v), want none", len(due), err)
	}
}

// publishLab is the grain lab on the package's database.
func publishLab(t *testing.T) *grainLab {
	t.Helper()
	t.Setenv("SMM_DATABASE_URL", pgtest.AppURL(t))
	t.Setenv("SMM_DATABASE_OWNER_URL", pgtest.OwnerURL(t))
	// The service generates its development JWT key there.
	t.Setenv("SMM_DATA_DIR", t.TempDir())
	lab, err := newGrainLab(context.Background(), slog.LevelWarn, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(lab.Close)
	return lab
}

// checkPublishResult checks a publishing result's counts and extra
// figures.
func checkPublishResult(t *testing.T, res Result, count int, want map[string]string) {
	t.Helper()
	if res.Requests != uint64(count) || res.Errors != 0 {
		t.Errorf("got %d publications, %d errors (%q); want %d, 0", res.Requests, res.Errors, res.ErrorCauses, count)
	}
	extra := extraOf(res)
	for k, v := range want {
		if extra[k] != v {
			t.Errorf("got %s %q, want %q (all: %v)", k, extra[k], v, extra)
		}
	}
}

func extraOf(res Result) map[string]string {
	out := map[string]string{}
	for _, m := range res.Extra {
		out[m.Name] = m.Value
	}
	return out
}
