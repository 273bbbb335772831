package youtube

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/socialmediamanager/smm/providers"
)

// Statistics are a video's public counters. A counter YouTube leaves out
// (likes hidden, comments disabled) is nil: unknown is not zero.
type Statistics struct {
	Views    *int64
	Likes    *int64
	Comments *int64
}

// videoList is videos.list's answer with the statistics part.
type videoList struct {
	Items []struct {
		ID         string            `json:"id"`
		Statistics map[string]string `json:"statistics"`
	} `json:"items"`
}

// maxVideoIDs is how many ids one videos.list call takes.
const maxVideoIDs = 50

// VideoStatistics reads the counters of the videos ids (videos.list
// part=statistics, 1 quota unit per 50 ids). A video YouTube does not
// return (deleted, private to another channel) is absent from the map.
func (c *Client) VideoStatistics(ctx context.Context, accessToken string, ids ...string) (map[string]Statistics, error) {
	out := make(map[string]Statistics, len(ids))
	for len(ids) > 0 {
		batch := ids[:min(len(ids), maxVideoIDs)]
		ids = ids[len(batch):]
		var vl videoList
		q := url.Values{"part": {"statistics"}, "id": {strings.Join(batch, ",")}}
		if err := c.apiGet(ctx, "read statistics", accessToken, c.cfg.APIBaseURL, "/youtube/v3/videos", q, &vl); err != nil {
			return nil, err
		}
		for _, it := range vl.Items {
			st := Statistics{}
			for name, dst := range map[string]**int64{"viewCount": &st.Views, "likeCount": &st.Likes, "commentCount": &st.Comments} {
				v, ok := it.Statistics[name]
				if !ok {
					continue
				}
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return nil, &providers.Error{Provider: provider, Op: "read statistics", Class: providers.Retryable,
						Status: http.StatusOK, Message: fmt.Sprintf("%s of video %s is not a number", name, it.ID)}
				}
				*dst = &n
			}
			out[it.ID] = st
		}
	}
	return out, nil
}

// ReportQuery is a YouTube Analytics query on the token's channel.
type ReportQuery struct {
	// StartDate and EndDate bound the report, inclusive (dates in the
	// channel's Pacific day).
	StartDate, EndDate time.Time
	// Metrics are the columns measured ("views", "likes", "comments",
	// "shares", "estimatedMinutesWatched").
	Metrics []string
	// Dimensions group the rows ("day", "video"); none gives one row of
	// totals.
	Dimensions []string
	// VideoID restricts the report to one video (filters=video==ID).
	VideoID string
	// Sort and MaxResults order and bound the rows ("-views", 10).
	Sort       string
	MaxResults int
}

// Column describes a column of a report.
type Column struct {
	Name string
	// ColumnType is "DIMENSION" or "METRIC".
	ColumnType string
	// DataType is "STRING", "INTEGER", "FLOAT"...
	DataType string
}

// Report is an Analytics result table. Rows hold strings (dimensions) and
// json.Number (metrics); a query without data has no rows.
type Report struct {
	Columns []Column
	Rows    [][]any
}

// Value is the cell of row in the column named name.
func (r Report) Value(row int, name string) (any, bool) {
	if row < 0 || row >= len(r.Rows) {
		return nil, false
	}
	for i, col := range r.Columns {
		if col.Name == name && i < len(r.Rows[row]) {
			return r.Rows[row][i], true
		}
	}
	return nil, false
}

// Int is a metric cell of row as an integer.
func (r Report) Int(row int, name string) (int64, bool) {
	v, ok := r.Value(row, name)
	if !ok {
		return 0, false
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	return int64(f), err == nil
}

// reportAnswer is the Analytics API's result table.
type reportAnswer struct {
	ColumnHeaders []struct {
		Name       string `json:"name"`
		ColumnType string `json:"columnType"`
		DataType   string `json:"dataType"`
	} `json:"columnHeaders"`
	Rows [][]any `json:"rows"`
}

// Report runs an Analytics query (reports.query, ids=channel==MINE).
// Analytics data may lag up to two days.
func (c *Client) Report(ctx context.Context, accessToken string, q ReportQuery) (Report, error) {
	const op = "read report"
	if len(q.Metrics) == 0 || q.StartDate.IsZero() || q.EndDate.IsZero() {
		return Report{}, &providers.Error{Provider: provider, Op: op, Class: providers.Permanent,
			Code: "required", Message: "a report needs metrics, a start date and an end date"}
	}
	v := url.Values{
		"ids":       {"channel==MINE"},
		"startDate": {q.StartDate.Format(time.DateOnly)},
		"endDate":   {q.EndDate.Format(time.DateOnly)},
		"metrics":   {strings.Join(q.Metrics, ",")},
	}
	if len(q.Dimensions) > 0 {
		v.Set("dimensions", strings.Join(q.Dimensions, ","))
	}
	if q.VideoID != "" {
		v.Set("filters", "video=="+q.VideoID)
	}
	if q.Sort != "" {
		v.Set("sort", q.Sort)
	}
	if q.MaxResults > 0 {
		v.Set("maxResults", strconv.Itoa(q.MaxResults))
	}
	req, err := http.NewRequest(http.MethodGet, c.cfg.AnalyticsBaseURL+"/v2/reports?"+v.Encode(), nil)
	if err != nil {
		return Report{}, c.requestError(op, err)
	}
	var raw json.RawMessage
	if err := c.send(ctx, op, accessToken, req, &raw); err != nil {
		return Report{}, err
	}
	var a reportAnswer
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&a); err != nil {
		return Report{}, &providers.Error{Provider: provider, Op: op, Class: providers.Retryable, Status: http.StatusOK,
			Message: "unexpected answer", Err: fmt.Errorf("decode the report: %w", err)}
	}
	r := Report{Rows: a.Rows}
	for _, h := range a.ColumnHeaders {
		r.Columns = append(r.Columns, Column{Name: h.Name, ColumnType: h.ColumnType, DataType: h.DataType})
	}
	return r, nil
}
