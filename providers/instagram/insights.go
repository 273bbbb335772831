package instagram

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Insights are metric values by name. A metric Instagram has no data for
// (not applicable to the media, not yet computed, too few followers) is
// absent, never 0: a missing value must not read as no engagement.
type Insights map[string]int64

// The metrics read by default (PROVIDERS.md).
var (
	mediaMetrics   = []string{"views", "reach", "likes", "comments", "shares", "saved", "total_interactions"}
	accountMetrics = []string{"reach", "views", "accounts_engaged", "total_interactions", "follower_count"}
)

// insightsAnswer is {"data":[{"name","period","values":[{"value"}],…}]};
// total_value is accepted too (metric_type=total_value answers it).
type insightsAnswer struct {
	Data []struct {
		Name   string `json:"name"`
		Values []struct {
			Value json.RawMessage `json:"value"`
		} `json:"values"`
		TotalValue *struct {
			Value json.RawMessage `json:"value"`
		} `json:"total_value"`
	} `json:"data"`
}

// insights sums each metric's numeric values; a metric without any is
// left out.
func (a insightsAnswer) insights() Insights {
	out := Insights{}
	for _, m := range a.Data {
		var raws []json.RawMessage
		for _, v := range m.Values {
			raws = append(raws, v.Value)
		}
		if m.TotalValue != nil {
			raws = append(raws, m.TotalValue.Value)
		}
		sum, found := int64(0), false
		for _, raw := range raws {
			if n, ok := numeric(raw); ok {
				sum, found = sum+n, true
			}
		}
		if found && m.Name != "" {
			out[m.Name] += sum
		}
	}
	return out
}

// numeric reads a JSON number (breakdown objects are not).
func numeric(raw json.RawMessage) (int64, bool) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	if err != nil {
		return 0, false
	}
	return int64(f + 0.5), true
}

// MediaInsights reads a media object's lifetime metrics (default: views,
// reach, likes, comments, shares, saved, total_interactions).
func (c *Client) MediaInsights(ctx context.Context, accessToken, mediaID string, metrics ...string) (Insights, error) {
	if len(metrics) == 0 {
		metrics = mediaMetrics
	}
	var ans insightsAnswer
	q := url.Values{"metric": {strings.Join(metrics, ",")}}
	if err := c.get(ctx, "media insights", accessToken, c.graph(mediaID, "insights"), q, &ans); err != nil {
		return nil, err
	}
	return ans.insights(), nil
}

// AccountInsights reads the account's daily metrics totalled over
// since…until (at most 30 days; default metrics: reach, views,
// accounts_engaged, total_interactions, follower_count). Data may lag by
// up to 48 hours.
func (c *Client) AccountInsights(ctx context.Context, accessToken, userID string, since, until time.Time, metrics ...string) (Insights, error) {
	if len(metrics) == 0 {
		metrics = accountMetrics
	}
	q := url.Values{"metric": {strings.Join(metrics, ",")}, "period": {"day"}, "metric_type": {"total_value"},
		"since": {strconv.FormatInt(since.Unix(), 10)}, "until": {strconv.FormatInt(until.Unix(), 10)}}
	var ans insightsAnswer
	if err := c.get(ctx, "account insights", accessToken, c.graph(userID, "insights"), q, &ans); err != nil {
		return nil, err
	}
	return ans.insights(), nil
}
