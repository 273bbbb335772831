package encryption

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Fixed associated data and plaintext shared by the tests and the FuzzOpen
// seed corpus (testdata/fuzz/FuzzOpen), which was sealed with testKey keys.
const (
	fuzzAAD       = "totp|user:0190b5c2-7d3e-7c4a-9f00-000000000001"
	fuzzPlaintext = "JBSWY3DPEHPK3PXP"
)

// testKey returns a deterministic 32-byte test key for id, so seed corpora
// made once stay valid.
func testKey(id string) []byte {
	sum := sha256.Sum256([]byte("smm encryption test key " + id))
	return sum[:]
}

// testSpec returns the "id:base64" entry for testKey(id).
func testSpec(id string) string {
	return id + ":" + base64.StdEncoding.EncodeToString(testKey(id))
}

// mustRing parses a keyring from test key ids, primary first.
func mustRing(tb testing.TB, ids ...string) *Keyring {
	tb.Helper()
	specs := make([]string, len(ids))
	for i, id := range ids {
		specs[i] = testSpec(id)
	}
	ring, err := ParseKeys(strings.Join(specs, ","))
	if err != nil {
		tb.Fatalf("ParseKeys(%v): %v", ids, err)
	}
	return ring
}

func TestSealOpenRoundTrip(t *testing.T) {
	ring := mustRing(t, "k1")
	big := make([]byte, 4096)
	for i := range big {
		big[i] = byte(i * 7)
	}
	tests := []struct {
		name      string
		plaintext []byte
		aad       string
	}{
		{"empty plaintext", []byte{}, "a"},
		{"nil plaintext", nil, "a"},
		{"totp secret", []byte(fuzzPlaintext), fuzzAAD},
		{"oauth token", []byte("ya29.a0AfH6SMB-token-value"), "social|org:o1|account:a1"},
		{"binary 4KiB", big, "bin"},
		{"utf-8", []byte("héllo wörld ✓"), "utf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := ring.Seal(tt.plaintext, []byte(tt.aad))
			if err != nil {
				t.Fatalf("Seal: got error %v, want nil", err)
			}
			if len(tt.plaintext) > 0 && bytes.Contains(sealed, tt.plaintext) {
				t.Errorf("sealed output contains the plaintext")
			}
			got, err := ring.Open(sealed, []byte(tt.aad))
			if err != nil {
				t.Fatalf("Open: got error %v, want nil", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Open: got %q, want %q", got, tt.plaintext)
			}
		})
	}
}

func TestSealFormat(t *testing.T) {
	ring := mustRing(t, "primary-2026", "old")
	plaintext := []byte("secret")
	sealed, err := ring.Seal(plaintext, []byte("aad"))
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	id := "primary-2026"
	if got, want := sealed[0], byte(0x01); got != want {
		t.Errorf("version byte: got 0x%02x, want 0x%02x", got, want)
	}
	if got, want := int(sealed[1]), len(id); got != want {
		t.Errorf("key id length byte: got %d, want %d", got, want)
	}
	if got, want := string(sealed[2:2+len(id)]), id; got != want {
		t.Errorf("key id: got %q, want %q", got, want)
	}
	if got, want := len(sealed), 2+len(id)+12+len(plaintext)+16; got != want {
		t.Errorf("length: got %d, want %d", got, want)
	}
	// The body is standard AES-256-GCM: nonce, then ciphertext and tag, with
	// the header prefixed to the associated data.
	block, err := aes.NewCipher(testKey(id))
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	hdr := sealed[:2+len(id)]
	nonce := sealed[len(hdr) : len(hdr)+12]
	got, err := gcm.Open(nil, nonce, sealed[len(hdr)+12:], append(append([]byte{}, hdr...), "aad"...))
	if err != nil {
		t.Fatalf("plain GCM open of the body: got error %v, want nil", err)
	}
	if !bytes.Equal(got, plaintext) {
		t.Errorf("plain GCM open: got %q, want %q", got, plaintext)
	}
}

func TestSealNonceUniqueness(t *testing.T) {
	ring := mustRing(t, "k1")
	const n = 10000
	hdrLen := 2 + len("k1")
	nonces := make(map[string]struct{}, n)
	ciphertexts := make(map[string]struct{}, n)
	for i := 0; i < n; i++ {
		sealed, err := ring.Seal([]byte("same plaintext"), []byte("same aad"))
		if err != nil {
			t.Fatalf("Seal #%d: %v", i, err)
		}
		nonces[string(sealed[hdrLen:hdrLen+12])] = struct{}{}
		ciphertexts[string(sealed)] = struct{}{}
	}
	if got := len(nonces); got != n {
		t.Errorf("distinct nonces: got %d, want %d", got, n)
	}
	if got := len(ciphertexts); got != n {
		t.Errorf("distinct ciphertexts: got %d, want %d", got, n)
	}
}

func TestOpenWrongAAD(t *testing.T) {
	ring := mustRing(t, "k1")
	sealed, err := ring.Seal([]byte(fuzzPlaintext), []byte(fuzzAAD))
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	tests := []struct {
		name string
		aad  string
	}{
		{"other user", "totp|user:0190b5c2-7d3e-7c4a-9f00-000000000002"},
		{"other purpose", "social|user:0190b5c2-7d3e-7c4a-9f00-000000000001"},
		{"prefix", fuzzAAD[:len(fuzzAAD)-1]},
		{"suffix added", fuzzAAD + "x"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ring.Open(sealed, []byte(tt.aad))
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("Open with aad %q: got (%q, %v), want an error wrapping ErrDecrypt", tt.aad, got, err)
			}
		})
	}
}

func TestSealRefusesEmptyAAD(t *testing.T) {
	ring := mustRing(t, "k1")
	for _, aad := range [][]byte{nil, {}} {
		if got, err := ring.Seal([]byte("x"), aad); err == nil {
			t.Errorf("Seal with aad %q: got (%x, nil), want an error", aad, got)
		}
	}
}

func TestOpenTampered(t *testing.T) {
	ring := mustRing(t, "k1")
	sealed, err := ring.Seal([]byte("hi"), []byte("aad"))
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	for pos := range sealed {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			tampered := bytes.Clone(sealed)
			tampered[pos] ^= mask
			if got, err := ring.Open(tampered, []byte("aad")); !errors.Is(err, ErrDecrypt) {
				t.Errorf("byte %d ^ 0x%02x: got (%q, %v), want an error wrapping ErrDecrypt", pos, mask, got, err)
			}
		}
	}
	for n := 0; n < len(sealed); n++ {
		if got, err := ring.Open(sealed[:n], []byte("aad")); !errors.Is(err, ErrDecrypt) {
			t.Errorf("truncated to %d bytes: got (%q, %v), want an error wrapping ErrDecrypt", n, got, err)
		}
	}
	if got, err := ring.Open(append(bytes.Clone(sealed), 0), []byte("aad")); !errors.Is(err, ErrDecrypt) {
		t.Errorf("extra trailing byte: got (%q, %v), want an error wrapping ErrDecrypt", got, err)
	}
}

func TestRotation(t *testing.T) {
	oldRing := mustRing(t, "old")
	rotated := mustRing(t, "new", "old")
	aad := []byte("social|org:o1|account:a1")

	sealedOld, err := oldRing.Seal([]byte("token"), aad)
	if err != nil {
		t.Fatalf("old Seal: %v", err)
	}
	if got, err := KeyID(sealedOld); err != nil || got != "old" {
		t.Errorf("KeyID(sealed by old ring): got (%q, %v), want (\"old\", nil)", got, err)
	}
	got, err := rotated.Open(sealedOld, aad)
	if err != nil || string(got) != "token" {
		t.Fatalf("rotated ring Open(old ciphertext): got (%q, %v), want (\"token\", nil)", got, err)
	}
	if got, want := rotated.PrimaryID(), "new"; got != want {
		t.Errorf("PrimaryID: got %q, want %q", got, want)
	}
	resealed, err := rotated.Seal(got, aad)
	if err != nil {
		t.Fatalf("rotated Seal: %v", err)
	}
	if got, err := KeyID(resealed); err != nil || got != "new" {
		t.Errorf("KeyID(resealed): got (%q, %v), want (\"new\", nil)", got, err)
	}
	if _, err := oldRing.Open(resealed, aad); !errors.Is(err, ErrDecrypt) {
		t.Errorf("old ring Open(new ciphertext): got %v, want an error wrapping ErrDecrypt", err)
	}
}

func TestOpenErrorMessages(t *testing.T) {
	ring := mustRing(t, "k1", "k0")
	other := mustRing(t, "other")
	byOther, err := other.Seal([]byte("x"), []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	byRing, err := ring.Seal([]byte("x"), []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		ciphertext []byte
		aad        string
		want       string
	}{
		{"unknown key id", byOther, "aad", `unknown key id "other"`},
		{"wrong aad", byRing, "other", `authentication failed under key id "k1"`},
		{"truncated", byRing[:10], "aad", "truncated"},
		{"empty", nil, "aad", "truncated"},
		{"bad version", append([]byte{0x02}, byRing[1:]...), "aad", "unsupported format version 0x02"},
		{"zero id length", append([]byte{0x01, 0x00}, byRing[2:]...), "aad", "key id length 0"},
		{"id length too big", append([]byte{0x01, 17}, bytes.Repeat([]byte("a"), 60)...), "aad", "key id length 17"},
		{"bad id byte", append([]byte{0x01, 2, 'k', ':'}, byRing[4:]...), "aad", "malformed ciphertext"},
	}
	secrets := []string{
		base64.StdEncoding.EncodeToString(testKey("k1")),
		base64.StdEncoding.EncodeToString(testKey("k0")),
		hex.EncodeToString(testKey("k1")),
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ring.Open(tt.ciphertext, []byte(tt.aad))
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("got error %v, want one wrapping ErrDecrypt", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got message %q, want it to contain %q", err, tt.want)
			}
			for _, s := range secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("got message %q, want no key material in it", err)
				}
			}
		})
	}
}

func TestKeyID(t *testing.T) {
	ring := mustRing(t, "A_z-09")
	sealed, err := ring.Seal([]byte("x"), []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := KeyID(sealed); err != nil || got != "A_z-09" {
		t.Errorf("KeyID(valid): got (%q, %v), want (\"A_z-09\", nil)", got, err)
	}
	bad := [][]byte{nil, {0x01}, {0x02, 1, 'a'}, {0x01, 5, 'a'}, sealed[:len(sealed)-1-12-1]}
	for _, c := range bad {
		if got, err := KeyID(c); !errors.Is(err, ErrDecrypt) {
			t.Errorf("KeyID(%x): got (%q, %v), want an error wrapping ErrDecrypt", c, got, err)
		}
	}
}

func TestParseKeysErrors(t *testing.T) {
	good := testSpec("good")
	key31 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 31))
	key33 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 33))
	key16 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 16))
	key32 := base64.StdEncoding.EncodeToString(testKey("x"))
	zero := base64.StdEncoding.EncodeToString(make([]byte, 32))
	tests := []struct {
		name string
		spec string
		want string // substring of the error message
	}{
		{"empty", "", "no keys"},
		{"blank", "  ", "no keys"},
		{"empty entry", good + ",", "entry 2 is empty"},
		{"no colon", key32, "entry 1 has no ':'"},
		{"no colon second", good + "," + key32, "entry 2 has no ':'"},
		{"empty id", ":" + key32, "entry 1: key id is empty"},
		{"long id", "abcdefghijklmnopq:" + key32, "entry 1: key id is 17 characters"},
		{"bad id char", "bad.id:" + key32, "entry 1: key id has a character"},
		{"reversed", key32 + ":k1", "entry 1: key id is 44 characters"},
		{"duplicate", "k:" + key32 + "," + good + ",k:" + key32, `entry 3: key id "k" is already used by entry 1`},
		{"empty key", "k1:", `entry 1 (key id "k1"): key is empty`},
		{"bad base64", "k1:" + key32[:20] + "!" + key32[21:], `entry 1 (key id "k1"): key is not valid standard base64`},
		{"url base64", "k1:" + strings.Repeat("_", 43), `key is not valid standard base64`},
		{"31 bytes", "k1:" + key31, "decodes to 31 bytes, want exactly 32"},
		{"33 bytes", good + ",k2:" + key33, `entry 2 (key id "k2"): key decodes to 33 bytes`},
		{"16 bytes (AES-128)", "k1:" + key16, "decodes to 16 bytes"},
		{"all zero", "k1:" + zero, "all zero bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ring, err := ParseKeys(tt.spec)
			if err == nil {
				t.Fatalf("ParseKeys: got (%v, nil), want an error containing %q", ring, tt.want)
			}
			if !errors.Is(err, ErrKeySpec) {
				t.Errorf("got error %v, want one wrapping ErrKeySpec", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got message %q, want it to contain %q", err, tt.want)
			}
			// No base64 run from the spec (a key, or something that may be
			// one) may appear in the message.
			for _, entry := range strings.Split(tt.spec, ",") {
				for _, part := range strings.Split(entry, ":") {
					if len(part) >= 16 && strings.Contains(err.Error(), part) {
						t.Errorf("got message %q, want it free of key material %q", err, part)
					}
				}
			}
			for _, s := range []string{key31, key33, key16, key32, zero, key32[:20], key32[21:]} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("got message %q, want it free of key material %q", err, s)
				}
			}
		})
	}
}

func TestParseKeysValid(t *testing.T) {
	k1 := base64.StdEncoding.EncodeToString(testKey("k1"))
	k2 := base64.StdEncoding.EncodeToString(testKey("k2"))
	tests := []struct {
		name        string
		spec        string
		wantPrimary string
		opens       []string // ids whose ciphertexts the ring must open
	}{
		{"single", "k1:" + k1, "k1", []string{"k1"}},
		{"two, first primary", "k2:" + k2 + ",k1:" + k1, "k2", []string{"k1", "k2"}},
		{"spaces and newline", " k2 : " + k2 + " ,\n k1:" + k1 + "\n", "k2", []string{"k1", "k2"}},
		{"unpadded base64", "k1:" + strings.TrimRight(k1, "="), "k1", []string{"k1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ring, err := ParseKeys(tt.spec)
			if err != nil {
				t.Fatalf("ParseKeys: got error %v, want nil", err)
			}
			if got := ring.PrimaryID(); got != tt.wantPrimary {
				t.Errorf("PrimaryID: got %q, want %q", got, tt.wantPrimary)
			}
			for _, id := range tt.opens {
				sealed, err := mustRing(t, id).Seal([]byte("v"), []byte("aad"))
				if err != nil {
					t.Fatal(err)
				}
				if got, err := ring.Open(sealed, []byte("aad")); err != nil || string(got) != "v" {
					t.Errorf("Open(sealed by %q): got (%q, %v), want (\"v\", nil)", id, got, err)
				}
			}
		})
	}
}

func TestGenerateKeySpec(t *testing.T) {
	a, err := GenerateKeySpec("local-1")
	if err != nil {
		t.Fatalf("GenerateKeySpec: got error %v, want nil", err)
	}
	b, err := GenerateKeySpec("local-1")
	if err != nil {
		t.Fatalf("GenerateKeySpec: got error %v, want nil", err)
	}
	if a == b {
		t.Errorf("two generated specs: got both %q, want different keys", a)
	}
	if !strings.HasPrefix(a, "local-1:") {
		t.Errorf("spec: got %q, want prefix %q", a, "local-1:")
	}
	ring, err := ParseKeys(a + "," + strings.Replace(b, "local-1", "local-0", 1))
	if err != nil {
		t.Fatalf("ParseKeys(generated): got error %v, want nil", err)
	}
	if got := ring.PrimaryID(); got != "local-1" {
		t.Errorf("PrimaryID: got %q, want %q", got, "local-1")
	}
	for _, bad := range []string{"", "has space", "abcdefghijklmnopq", "a:b"} {
		if got, err := GenerateKeySpec(bad); !errors.Is(err, ErrKeySpec) {
			t.Errorf("GenerateKeySpec(%q): got (%q, %v), want an error wrapping ErrKeySpec", bad, got, err)
		}
	}
}

func TestKeyringPrintsNoKeyMaterial(t *testing.T) {
	ring := mustRing(t, "k1", "k0")
	holder := struct{ Ring *Keyring }{ring}
	secrets := []string{
		base64.StdEncoding.EncodeToString(testKey("k1")),
		hex.EncodeToString(testKey("k1")),
		fmt.Sprint(testKey("k1")),
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{ring, holder, *ring} {
			out := fmt.Sprintf(format, v)
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("Sprintf(%q) = %q, want no key material", format, out)
				}
			}
		}
	}
	if got, want := ring.String(), `encryption.Keyring{primary: "k1", keys: ["k1" "k0"]}`; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
}

func TestNilKeyring(t *testing.T) {
	var ring *Keyring
	if _, err := ring.Seal([]byte("x"), []byte("aad")); err == nil {
		t.Errorf("nil Seal: got nil error, want one")
	}
	sealed, err := mustRing(t, "k1").Seal([]byte("x"), []byte("aad"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ring.Open(sealed, []byte("aad")); !errors.Is(err, ErrDecrypt) {
		t.Errorf("nil Open: got %v, want an error wrapping ErrDecrypt", err)
	}
	if got := ring.PrimaryID(); got != "" {
		t.Errorf("nil PrimaryID: got %q, want \"\"", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	ring := mustRing(t, "k1", "k0")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			aad := []byte(fmt.Sprintf("row:%d", g))
			for i := 0; i < 200; i++ {
				sealed, err := ring.Seal([]byte("v"), aad)
				if err != nil {
					errs <- err
					return
				}
				if got, err := ring.Open(sealed, aad); err != nil || string(got) != "v" {
					errs <- fmt.Errorf("goroutine %d: got (%q, %v), want (\"v\", nil)", g, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// FuzzOpen feeds arbitrary bytes and associated data to Open. It must never
// panic, every failure must wrap ErrDecrypt, and a success is only allowed
// for the exact bytes Seal produced: fuzzPlaintext sealed with fuzzAAD under
// a key of the ring, in canonical framing (checked by re-sealing with the
// same nonce through plain AES-GCM and comparing every byte).
func FuzzOpen(f *testing.F) {
	ring := mustRing(f, "k2", "k1")
	for _, r := range []*Keyring{ring, mustRing(f, "k1")} {
		sealed, err := r.Seal([]byte(fuzzPlaintext), []byte(fuzzAAD))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(sealed, []byte(fuzzAAD))
		f.Add(sealed, []byte("totp|user:other"))
	}
	f.Add([]byte{}, []byte(fuzzAAD))
	f.Add([]byte{0x01, 0x02, 'k', '1'}, []byte(fuzzAAD))

	f.Fuzz(func(t *testing.T, ciphertext, aad []byte) {
		id, idErr := KeyID(ciphertext)
		plaintext, err := ring.Open(ciphertext, aad)
		if err != nil {
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("Open: got error %v, want one wrapping ErrDecrypt", err)
			}
			return
		}
		if idErr != nil {
			t.Fatalf("Open succeeded but KeyID failed: %v", idErr)
		}
		if string(aad) != fuzzAAD || string(plaintext) != fuzzPlaintext {
			t.Fatalf("Open succeeded with aad %q, plaintext %q; want only aad %q, plaintext %q", aad, plaintext, fuzzAAD, fuzzPlaintext)
		}
		hdrLen := 2 + len(id)
		block, err := aes.NewCipher(testKey(id))
		if err != nil {
			t.Fatal(err)
		}
		gcm, err := cipher.NewGCM(block)
		if err != nil {
			t.Fatal(err)
		}
		hdr := ciphertext[:hdrLen]
		nonce := ciphertext[hdrLen : hdrLen+12]
		want := gcm.Seal(append(append([]byte{}, hdr...), nonce...), nonce, plaintext, append(append([]byte{}, hdr...), aad...))
		if !bytes.Equal(ciphertext, want) {
			t.Fatalf("Open accepted %x, want only the canonical sealing %x", ciphertext, want)
		}
	})
}
