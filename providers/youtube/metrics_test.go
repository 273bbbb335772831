package youtube_test

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/socialmediamanager/smm/providers"
	"github.com/socialmediamanager/smm/providers/simulator"
	"github.com/socialmediamanager/smm/providers/youtube"
)

// Counters arrive as strings; absent ones stay absent.
func TestVideoStatistics(t *testing.T) {
	e := newEnv(t, simulator.Config{})
	ctx := context.Background()
	tok := e.connect("paul")
	a, b := e.upload(tok, "A", 10), e.upload(tok, "B", 10)
	if !e.sim.SetYouTubeStatistics(b.ID, map[string]string{"viewCount": "1234567890123", "commentCount": "7"}) {
		t.Fatal("video B unknown to the simulator")
	}
	ids := []string{a.ID, b.ID}
	for i := range 60 { // more than one call's 50
		ids = append(ids, "missing"+strconv.Itoa(i))
	}
	got, err := e.client.VideoStatistics(ctx, tok.AccessToken, ids...)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d videos, want 2 (unknown ids absent)", len(got))
	}
	n := func(p *int64) string {
		if p == nil {
			return "absent"
		}
		return strconv.FormatInt(*p, 10)
	}
	for _, tc := range []struct {
		id                     string
		views, likes, comments string
	}{
		{a.ID, "0", "0", "4"},
		{b.ID, "1234567890123", "absent", "7"},
	} {
		st := got[tc.id]
		if n(st.Views) != tc.views || n(st.Likes) != tc.likes || n(st.Comments) != tc.comments {
			t.Errorf("%s: got views %s, likes %s, comments %s; want %s, %s, %s", tc.id,
				n(st.Views), n(st.Likes), n(st.Comments), tc.views, tc.likes, tc.comments)
		}
	}
	e.sim.SetYouTubeStatistics(a.ID, map[string]string{"viewCount": "lots"})
	_, err = e.client.VideoStatistics(ctx, tok.AccessToken, a.ID)
	wantClass(t, "unparsable counter", err, providers.Retryable, "")
}

// Analytics reports: columns and rows by day, by video, or totals.
func TestReport(t *testing.T) {
	e := newEnv(t, simulator.Config{GoogleAccessTTL: 30 * 24 * time.Hour})
	ctx := context.Background()
	tok := e.connect("quinn")
	v1 := e.upload(tok, "One", 10)
	e.clock.Advance(48 * time.Hour)
	v2 := e.upload(tok, "Two", 10)
	today := e.clock.Now()
	metrics := []string{"views", "likes", "comments", "shares"}

	byDay, err := e.client.Report(ctx, tok.AccessToken, youtube.ReportQuery{StartDate: today.AddDate(0, 0, -5), EndDate: today,
		Metrics: metrics, Dimensions: []string{"day"}, VideoID: v1.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(byDay.Columns) != 5 || byDay.Columns[0] != (youtube.Column{Name: "day", ColumnType: "DIMENSION", DataType: "STRING"}) ||
		byDay.Columns[1] != (youtube.Column{Name: "views", ColumnType: "METRIC", DataType: "INTEGER"}) {
		t.Errorf("got columns %+v, want day then the four metrics", byDay.Columns)
	}
	if len(byDay.Rows) != 3 {
		t.Fatalf("got %d daily rows, want 3 (the video's days so far)", len(byDay.Rows))
	}
	var viewsByDay int64
	for i := range byDay.Rows {
		day, _ := byDay.Value(i, "day")
		raw, _ := byDay.Value(i, "views")
		if _, isNumber := raw.(json.Number); !isNumber {
			t.Errorf("row %d: got views of type %T, want json.Number", i, raw)
		}
		views, ok := byDay.Int(i, "views")
		likes, _ := byDay.Int(i, "likes")
		if _, isString := day.(string); !isString || !ok || views < 0 || views >= 1000 || likes >= 50 {
			t.Errorf("row %d: got day %v, views %d, likes %d; want a date and metrics within the simulator's ranges", i, day, views, likes)
		}
		viewsByDay += views
	}

	total, err := e.client.Report(ctx, tok.AccessToken, youtube.ReportQuery{StartDate: today.AddDate(0, 0, -5), EndDate: today,
		Metrics: metrics, VideoID: v1.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := total.Int(0, "views"); len(total.Rows) != 1 || got != viewsByDay {
		t.Errorf("totals: got %d rows, views %d; want one row of %d", len(total.Rows), got, viewsByDay)
	}
	if _, ok := total.Value(0, "day"); ok {
		t.Error("totals: got a day column, want none")
	}

	byVideo, err := e.client.Report(ctx, tok.AccessToken, youtube.ReportQuery{StartDate: today.AddDate(0, 0, -5), EndDate: today,
		Metrics: metrics, Dimensions: []string{"video"}, MaxResults: 10, Sort: "-views"})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[any]bool{}
	for i := range byVideo.Rows {
		id, _ := byVideo.Value(i, "video")
		seen[id] = true
	}
	if len(byVideo.Rows) != 2 || !seen[v1.ID] || !seen[v2.ID] {
		t.Errorf("by video: got rows %v, want one per video", byVideo.Rows)
	}

	before, err := e.client.Report(ctx, tok.AccessToken, youtube.ReportQuery{StartDate: today.AddDate(0, 0, -30), EndDate: today.AddDate(0, 0, -10),
		Metrics: metrics, Dimensions: []string{"day"}})
	if err != nil || before.Rows != nil {
		t.Errorf("before any video: got %v, %v; want no rows", before.Rows, err)
	}

	other := e.connect("rob")
	for _, tc := range []struct {
		name  string
		tok   string
		q     youtube.ReportQuery
		class providers.Class
		code  string
	}{
		{"unknown metric", tok.AccessToken, youtube.ReportQuery{StartDate: today, EndDate: today, Metrics: []string{"karma"}}, providers.Permanent, "badRequest"},
		{"another channel's video", other.AccessToken, youtube.ReportQuery{StartDate: today, EndDate: today, Metrics: metrics, VideoID: v1.ID}, providers.Permanent, "forbidden"},
		{"end before start", tok.AccessToken, youtube.ReportQuery{StartDate: today, EndDate: today.AddDate(0, 0, -1), Metrics: metrics}, providers.Permanent, "badRequest"},
		{"no metrics", tok.AccessToken, youtube.ReportQuery{StartDate: today, EndDate: today}, providers.Permanent, "required"},
	} {
		_, err := e.client.Report(ctx, tc.tok, tc.q)
		wantClass(t, tc.name, err, tc.class, tc.code)
	}
}
