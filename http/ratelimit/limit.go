package ratelimit

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Bounds of a Limit. They keep every derived quantity (emission interval,
// burst window, Redis TTL) far from overflow and from float imprecision in
// the Redis script.
const (
	MaxRate        = 1_000_000
	MaxBurst       = 1_000_000
	MaxPeriod      = 31 * 24 * time.Hour
	maxBurstWindow = 31 * 24 * time.Hour
	maxNameLen     = 64
	day            = 24 * time.Hour
)

// limitForm is quoted by every parse error so an operator sees what to write.
const limitForm = `want <rate>/<period>[:burst=<n>] with period s, m, h, d or a multiple such as 15m, e.g. "10/s", "300/m", "20/m:burst=5", "5/15m"`

// Limit is a GCRA limit: Rate requests per Period, with up to Burst requests
// at once. A fresh key may make Burst requests immediately; after that one
// request is regained every Period/Rate.
//
// Name identifies the policy: it is the quoted policy name of the
// RateLimit-Policy and RateLimit headers, the name label of the metrics and
// part of the Redis key, so two limits with different names never share
// state. The values may differ per call under one name (per-plan limits):
// the state kept per name and key is a time (when the key's debt is paid),
// so a new limit applies at once to the debt already incurred; plans whose
// burst windows (Period*Burst/Rate) are equal switch without a jolt.
type Limit struct {
	Name   string
	Rate   int
	Burst  int
	Period time.Duration
}

// ParseLimit reads a limit written as <rate>/<period>[:burst=<n>]: "10/s",
// "300/m", "20/m:burst=5", "5/15m", "100/d". The period is s, m, h or d,
// optionally preceded by a multiple. Without burst= the burst equals the
// rate. name becomes Limit.Name: lower-case letters, digits, '.', '_' and
// '-'.
func ParseLimit(name, s string) (Limit, error) {
	l := Limit{Name: name}
	if err := validName(name); err != nil {
		return Limit{}, err
	}
	spec := strings.TrimSpace(s)
	rateS, rest, ok := strings.Cut(spec, "/")
	if !ok {
		return Limit{}, parseError(name, s, "missing '/'")
	}
	periodS, burstS, hasBurst := strings.Cut(rest, ":")

	rate, err := parseCount(rateS)
	if err != nil {
		return Limit{}, parseError(name, s, "rate "+err.Error())
	}
	l.Rate = rate
	if l.Period, err = parsePeriod(periodS); err != nil {
		return Limit{}, parseError(name, s, err.Error())
	}
	l.Burst = rate
	if hasBurst {
		v, ok := strings.CutPrefix(burstS, "burst=")
		if !ok {
			return Limit{}, parseError(name, s, "after ':' only burst=<n> is accepted")
		}
		if l.Burst, err = parseCount(v); err != nil {
			return Limit{}, parseError(name, s, "burst "+err.Error())
		}
	}
	if err := l.Validate(); err != nil {
		return Limit{}, fmt.Errorf("%w (%s)", err, limitForm)
	}
	return l, nil
}

func parseError(name, s, why string) error {
	return fmt.Errorf("rate limit %q: invalid value %q: %s; %s", name, s, why, limitForm)
}

// parseCount reads a positive decimal integer without sign or spaces.
func parseCount(s string) (int, error) {
	if s == "" {
		return 0, errors.New("is empty")
	}
	if len(s) > 9 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%q is not a positive integer", s)
		}
	}
	n, _ := strconv.Atoi(s) // at most 9 digits: cannot fail
	if n == 0 {
		return 0, errors.New("must be at least 1")
	}
	return n, nil
}

func parsePeriod(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("period is empty")
	}
	var unit time.Duration
	switch s[len(s)-1] {
	case 's':
		unit = time.Second
	case 'm':
		unit = time.Minute
	case 'h':
		unit = time.Hour
	case 'd':
		unit = day
	default:
		return 0, fmt.Errorf("period %q must end in s, m, h or d", s)
	}
	n := 1
	if mult := s[:len(s)-1]; mult != "" {
		var err error
		if n, err = parseCount(mult); err != nil {
			return 0, fmt.Errorf("period multiple %s", err.Error())
		}
	}
	// n < 1e9 and unit <= 1 day: n*unit in seconds fits easily in int64, but
	// as a Duration (nanoseconds) it may not, so compare in seconds first.
	if int64(n)*int64(unit/time.Second) > int64(MaxPeriod/time.Second) {
		return 0, fmt.Errorf("period %q is longer than %s", s, formatPeriod(MaxPeriod))
	}
	return time.Duration(n) * unit, nil
}

// Validate reports whether the limit can be enforced: a name, rate and burst
// between 1 and a million, a period of whole seconds between 1s and 31 days,
// and a burst window (the time to regain a full burst) of at most 31 days.
func (l Limit) Validate() error {
	if err := validName(l.Name); err != nil {
		return err
	}
	switch {
	case l.Rate < 1 || l.Rate > MaxRate:
		return fmt.Errorf("rate limit %q: rate %d must be between 1 and %d", l.Name, l.Rate, MaxRate)
	case l.Burst < 1 || l.Burst > MaxBurst:
		return fmt.Errorf("rate limit %q: burst %d must be between 1 and %d", l.Name, l.Burst, MaxBurst)
	case l.Period < time.Second || l.Period > MaxPeriod || l.Period%time.Second != 0:
		return fmt.Errorf("rate limit %q: period %s must be whole seconds between 1s and %s", l.Name, l.Period, formatPeriod(MaxPeriod))
	}
	if w := float64(l.Period) * float64(l.Burst) / float64(l.Rate); w > float64(maxBurstWindow) {
		return fmt.Errorf("rate limit %q: a burst of %d at %d per %s takes longer than %s to regain", l.Name, l.Burst, l.Rate, formatPeriod(l.Period), formatPeriod(maxBurstWindow))
	}
	return nil
}

func validName(name string) error {
	if name == "" || len(name) > maxNameLen {
		return fmt.Errorf("rate limit name %q must be 1 to %d characters", name, maxNameLen)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("rate limit name %q may only hold a-z, 0-9, '.', '_' and '-'", name)
		}
	}
	return nil
}

// String writes the limit in the form ParseLimit reads (without the name):
// ParseLimit(l.Name, l.String()) returns l for every valid l.
func (l Limit) String() string {
	s := strconv.Itoa(l.Rate) + "/" + formatPeriod(l.Period)
	if l.Burst != l.Rate {
		s += ":burst=" + strconv.Itoa(l.Burst)
	}
	return s
}

// formatPeriod writes a period with the largest unit that divides it.
func formatPeriod(d time.Duration) string {
	for _, u := range []struct {
		d time.Duration
		s string
	}{{day, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if d >= u.d && d%u.d == 0 {
			if n := d / u.d; n != 1 {
				return strconv.FormatInt(int64(n), 10) + u.s
			}
			return u.s
		}
	}
	return d.String()
}

// windowSeconds is the policy's time window in whole seconds (w=).
func (l Limit) windowSeconds() int64 {
	return int64(math.Ceil(l.Period.Seconds()))
}
