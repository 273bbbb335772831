package actorpb_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// protocVersionLine is the one line of generated code that names the local
// protoc; the check ignores it so a distribution's protoc build does not count
// as a change.
var protocVersionLine = regexp.MustCompile(`(?m)^// (\t| )*protoc +v?[0-9][^\n]*\n`)

// TestGeneratedCodeIsCurrent regenerates the contracts with the pinned tools
// (scripts/generate.sh, what make generate runs) and fails when the committed
// code differs: a .proto edited without make generate does not pass CI.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	cmd := exec.Command("bash", filepath.Join(root, "scripts", "generate.sh"), out)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/generate.sh: %v\n%s", err, b)
	}
	generated, err := filepath.Glob(filepath.Join(out, "actors", "actorpb", "*.pb.go"))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := filepath.Glob("*.pb.go")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(generated), len(committed); got != want || got == 0 {
		t.Fatalf("got %d generated files, want %d (the committed ones)", got, want)
	}
	for _, g := range generated {
		name := filepath.Base(g)
		fresh, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		old, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%s is generated but not committed: run make generate", name)
		}
		if !bytes.Equal(protocVersionLine.ReplaceAll(fresh, nil), protocVersionLine.ReplaceAll(old, nil)) {
			t.Errorf("%s differs from what make generate writes: run make generate and commit", name)
		}
	}
}
