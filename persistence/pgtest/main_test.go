package pgtest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// fatalRecorder stands for a test that must fail: it records the message
// and stops the goroutine as testing.T.Fatal does.
type fatalRecorder struct {
	testing.TB
	failed string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatal(args ...any) {
	f.failed = fmt.Sprint(args...)
	runtime.Goexit()
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestURLsNeedMain checks that a package whose TestMain forgot pgtest.Main
// is told how to fix it, even when the variables were inherited from a
// parent process. Not parallel: it changes the environment.
func TestURLsNeedMain(t *testing.T) {
	t.Setenv(packageDBPIDVar, "1") // as if set by another process
	cases := []struct {
		name string
		call func(testing.TB) string
	}{
		{"AppURL", AppURL},
		{"OwnerURL", OwnerURL},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &fatalRecorder{TB: t}
			done := make(chan string)
			go func() {
				defer close(done)
				url := tc.call(rec)
				done <- url
			}()
			if url, returned := <-done; returned {
				t.Fatalf("got URL %q returned, want the test failed", url)
			}
			if !strings.Contains(rec.failed, "os.Exit(pgtest.Main(m))") {
				t.Errorf("got failure %q, want it to show the TestMain to add", rec.failed)
			}
		})
	}
}
