package ratelimit

import (
	"strings"
	"testing"
	"time"
)

func TestParseLimit(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Limit
		wantErr string // substring of the error; "" for success
	}{
		{in: "10/s", want: Limit{Name: "x", Rate: 10, Burst: 10, Period: time.Second}},
		{in: "300/m", want: Limit{Name: "x", Rate: 300, Burst: 300, Period: time.Minute}},
		{in: "20/m:burst=5", want: Limit{Name: "x", Rate: 20, Burst: 5, Period: time.Minute}},
		{in: "5/15m", want: Limit{Name: "x", Rate: 5, Burst: 5, Period: 15 * time.Minute}},
		{in: "10/h:burst=5", want: Limit{Name: "x", Rate: 10, Burst: 5, Period: time.Hour}},
		{in: "100/d", want: Limit{Name: "x", Rate: 100, Burst: 100, Period: 24 * time.Hour}},
		{in: "1/30s:burst=100", want: Limit{Name: "x", Rate: 1, Burst: 100, Period: 30 * time.Second}},
		{in: "  60/m  ", want: Limit{Name: "x", Rate: 60, Burst: 60, Period: time.Minute}},
		{in: "1/31d", want: Limit{Name: "x", Rate: 1, Burst: 1, Period: 31 * 24 * time.Hour}},

		{in: "", wantErr: "missing '/'"},
		{in: "10", wantErr: "missing '/'"},
		{in: "10/", wantErr: "period is empty"},
		{in: "/s", wantErr: "rate is empty"},
		{in: "0/s", wantErr: "at least 1"},
		{in: "-1/s", wantErr: "not a positive integer"},
		{in: "+1/s", wantErr: "not a positive integer"},
		{in: "1.5/s", wantErr: "not a positive integer"},
		{in: "10/sec", wantErr: "must end in s, m, h or d"},
		{in: "10/w", wantErr: "must end in s, m, h or d"},
		{in: "10/S", wantErr: "must end in s, m, h or d"},
		{in: "10/0m", wantErr: "at least 1"},
		{in: "10/1.5m", wantErr: "not a positive integer"},
		{in: "10 /s", wantErr: "not a positive integer"},
		{in: "10/s:burst=0", wantErr: "burst must be at least 1"},
		{in: "10/s:burst=", wantErr: "burst is empty"},
		{in: "10/s:burst=x", wantErr: "not a positive integer"},
		{in: "10/s:b=5", wantErr: "only burst=<n>"},
		{in: "10/s:burst=5:burst=6", wantErr: "not a positive integer"},
		{in: "2000000/s", wantErr: "rate 2000000 must be between 1 and 1000000"},
		{in: "9999999999/s", wantErr: "too large"},
		{in: "1/32d", wantErr: "longer than 31d"},
		{in: "1/999999999d", wantErr: "longer than 31d"},
		{in: "1/d:burst=32", wantErr: "to regain"},
	} {
		got, err := ParseLimit("x", tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseLimit(%q) = %+v, %v; want error containing %q", tc.in, got, err, tc.wantErr)
			} else if !strings.Contains(err.Error(), `"10/s", "300/m"`) {
				t.Errorf("ParseLimit(%q) error %q does not show the accepted form", tc.in, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseLimit(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseLimitName(t *testing.T) {
	for _, name := range []string{"login.ip", "api_token", "2fa", "plan-pro"} {
		if _, err := ParseLimit(name, "1/s"); err != nil {
			t.Errorf("name %q: %v", name, err)
		}
	}
	for _, name := range []string{"", "Login", "a b", `a"b`, "é", strings.Repeat("a", 65)} {
		if _, err := ParseLimit(name, "1/s"); err == nil {
			t.Errorf("name %q accepted, want an error", name)
		}
	}
}

func TestLimitValidate(t *testing.T) {
	ok := Limit{Name: "x", Rate: 1, Burst: 1, Period: time.Second}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, l := range []Limit{
		{},
		{Name: "x", Rate: 0, Burst: 1, Period: time.Second},
		{Name: "x", Rate: 1, Burst: 0, Period: time.Second},
		{Name: "x", Rate: 1, Burst: 1, Period: 0},
		{Name: "x", Rate: 1, Burst: 1, Period: 500 * time.Millisecond},
		{Name: "x", Rate: 1, Burst: 1, Period: 1500 * time.Millisecond},
		{Name: "x", Rate: 1, Burst: 1, Period: -time.Second},
		{Name: "x", Rate: 1, Burst: 1, Period: 32 * 24 * time.Hour},
	} {
		if err := l.Validate(); err == nil {
			t.Errorf("%+v validated, want an error", l)
		}
	}
}

func TestLimitString(t *testing.T) {
	for in, want := range map[string]string{
		"10/s":          "10/s",
		"60/60s":        "60/m",
		"20/m:burst=5":  "20/m:burst=5",
		"20/m:burst=20": "20/m",
		"5/90m":         "5/90m",
		"5/120m":        "5/2h",
		"1/48h":         "1/2d",
	} {
		l, err := ParseLimit("x", in)
		if err != nil {
			t.Fatal(err)
		}
		if got := l.String(); got != want {
			t.Errorf("ParseLimit(%q).String() = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseLimit checks that ParseLimit never panics, that what it accepts
// is valid, and that String writes it back in a form that parses to the same
// limit. Seeds are in testdata/fuzz/FuzzParseLimit.
func FuzzParseLimit(f *testing.F) {
	for _, s := range []string{"10/s", "300/m", "20/m:burst=5", "5/15m", "1/31d", "0/s", "10/s:burst=", "/", ":", "1/9999999999d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLimit("fuzz", s)
		if err != nil {
			if l != (Limit{}) {
				t.Fatalf("ParseLimit(%q) returned %+v with error %v", s, l, err)
			}
			return
		}
		if err := l.Validate(); err != nil {
			t.Fatalf("ParseLimit(%q) = %+v, which does not validate: %v", s, l, err)
		}
		again, err := ParseLimit("fuzz", l.String())
		if err != nil || again != l {
			t.Fatalf("ParseLimit(%q) = %+v, String %q parses to %+v, %v", s, l, l.String(), again, err)
		}
		if item := PolicyItem(l); !policyItemRE.MatchString(item) {
			t.Fatalf("policy item %q is not well formed", item)
		}
	})
}
