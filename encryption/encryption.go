// Package encryption seals small secrets at rest (TOTP secrets now, social
// network OAuth tokens later) with AES-256-GCM. DESIGN.md §3 asks for three
// properties, and this package gives all three:
//
//   - authenticated encryption, so a tampered ciphertext is refused rather
//     than decrypted to garbage;
//   - a key id written on every ciphertext, so keys can be rotated: the
//     keyring encrypts under its primary key and still decrypts under the
//     older ones until every row has been re-sealed;
//   - associated data chosen by the caller (for example
//     "totp|user:<uuid>" or "social|org:<uuid>|account:<uuid>"), so a
//     ciphertext copied into another row cannot be decrypted there.
//
// Keys come from SMM_ENCRYPTION_KEYS, a comma-separated list of
// "keyid:base64-of-32-bytes" entries (see ParseKeys). No error or printed
// form of a Keyring ever contains key material.
package encryption

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

const (
	// formatVersion is the first byte of every ciphertext, so the layout can
	// change later without guessing.
	formatVersion byte = 0x01
	// keySize is the AES-256 key length in bytes.
	keySize = 32
	// nonceSize is GCM's standard 96-bit nonce.
	nonceSize = 12
	// tagSize is GCM's 128-bit authentication tag.
	tagSize = 16
	// maxKeyIDLen bounds key ids so their length fits the one-byte prefix
	// with room to spare and ciphertexts stay small.
	maxKeyIDLen = 16
)

// ErrDecrypt is wrapped by every error from Open and KeyID, whatever the
// cause (unknown key id, failed authentication, malformed or truncated
// input), so callers can treat "this ciphertext is unusable here" as one
// case with errors.Is while the message still says which cause it was.
var ErrDecrypt = errors.New("cannot decrypt")

// ErrKeySpec is wrapped by every error from ParseKeys and GenerateKeySpec
// about a malformed key list, so configuration loading can report it as a
// settings problem rather than an internal failure.
var ErrKeySpec = errors.New("invalid encryption key spec")

// keyEntry is one key of the ring: its id and the AEAD built from it. The
// raw key bytes are not kept, so nothing in a Keyring can print them.
type keyEntry struct {
	id   string
	aead cipher.AEAD
}

// Keyring holds the AES-256-GCM keys that seal and open secrets: the first
// key is primary and seals, every key opens. It is immutable once built by
// ParseKeys, so one Keyring is safe for concurrent use by many goroutines.
type Keyring struct {
	keys []keyEntry // in spec order; keys[0] is primary
	byID map[string]cipher.AEAD
}

// ParseKeys builds a Keyring from the SMM_ENCRYPTION_KEYS format: a
// comma-separated list of "keyid:base64" entries, the first of which is the
// primary key. Key ids are 1–16 characters of [A-Za-z0-9_-]; each key must
// decode (standard base64, padded or not) to exactly 32 bytes and must not be
// all zeros (a placeholder, not a key). Spaces around entries are ignored.
// Errors wrap ErrKeySpec and name the bad entry by its 1-based position and,
// once the id is known to be valid, by its key id; they never contain key
// material, and never echo an invalid id, since a malformed entry may be a
// key pasted in the wrong place.
func ParseKeys(spec string) (*Keyring, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("%w: no keys (want keyid:base64-of-32-bytes[,keyid:base64...])", ErrKeySpec)
	}
	entries := strings.Split(spec, ",")
	ring := &Keyring{
		keys: make([]keyEntry, 0, len(entries)),
		byID: make(map[string]cipher.AEAD, len(entries)),
	}
	firstSeen := make(map[string]int, len(entries))
	for i, entry := range entries {
		pos := i + 1
		entry = strings.TrimSpace(entry)
		if entry == "" {
			return nil, fmt.Errorf("%w: entry %d is empty", ErrKeySpec, pos)
		}
		id, encoded, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("%w: entry %d has no ':' between key id and key (want keyid:base64)", ErrKeySpec, pos)
		}
		id, encoded = strings.TrimSpace(id), strings.TrimSpace(encoded)
		if err := validateKeyID(id); err != nil {
			return nil, fmt.Errorf("%w: entry %d: %w", ErrKeySpec, pos, err)
		}
		if prev, dup := firstSeen[id]; dup {
			return nil, fmt.Errorf("%w: entry %d: key id %q is already used by entry %d", ErrKeySpec, pos, id, prev)
		}
		firstSeen[id] = pos
		aead, err := newAEAD(encoded)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d (key id %q): %w", ErrKeySpec, pos, id, err)
		}
		ring.keys = append(ring.keys, keyEntry{id: id, aead: aead})
		ring.byID[id] = aead
	}
	return ring, nil
}

// newAEAD decodes one base64 key and builds its AES-256-GCM AEAD with random
// nonces. Its errors describe the problem without repeating the input.
func newAEAD(encoded string) (cipher.AEAD, error) {
	if encoded == "" {
		return nil, errors.New("key is empty")
	}
	enc := base64.RawStdEncoding
	if strings.HasSuffix(encoded, "=") {
		enc = base64.StdEncoding
	}
	raw, err := enc.DecodeString(encoded)
	if err != nil {
		// base64.CorruptInputError reports only an offset, never the data.
		return nil, fmt.Errorf("key is not valid standard base64: %w", err)
	}
	defer clear(raw)
	if len(raw) != keySize {
		return nil, fmt.Errorf("key decodes to %d bytes, want exactly %d (AES-256)", len(raw), keySize)
	}
	if allZero(raw) {
		return nil, errors.New("key is all zero bytes (a placeholder, not a key; use GenerateKeySpec)")
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("new AES cipher: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("new GCM: %w", err)
	}
	return aead, nil
}

// allZero reports whether b holds only zero bytes.
func allZero(b []byte) bool {
	var acc byte
	for _, c := range b {
		acc |= c
	}
	return acc == 0
}

// validateKeyID checks the key id rules (1–16 characters of [A-Za-z0-9_-]).
// Its errors never include the id itself, which may be misplaced key
// material.
func validateKeyID(id string) error {
	if id == "" {
		return errors.New("key id is empty")
	}
	if len(id) > maxKeyIDLen {
		return fmt.Errorf("key id is %d characters, want 1 to %d", len(id), maxKeyIDLen)
	}
	for i := 0; i < len(id); i++ {
		if !isKeyIDChar(id[i]) {
			return fmt.Errorf("key id has a character other than A-Z, a-z, 0-9, '_' or '-' at position %d", i+1)
		}
	}
	return nil
}

// isKeyIDChar reports whether c may appear in a key id.
func isKeyIDChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// GenerateKeySpec returns a new "keyid:base64" entry holding 32 random bytes
// from crypto/rand, so local setups (`make run`), tests and the docs never
// need a hand-made key. Prepend the result to SMM_ENCRYPTION_KEYS to rotate.
func GenerateKeySpec(keyID string) (string, error) {
	if err := validateKeyID(keyID); err != nil {
		return "", fmt.Errorf("%w: generate key %q: %w", ErrKeySpec, keyID, err)
	}
	raw := make([]byte, keySize)
	defer clear(raw)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("generate key %q: read random bytes: %w", keyID, err)
	}
	return keyID + ":" + base64.StdEncoding.EncodeToString(raw), nil
}

// PrimaryID returns the id of the key that Seal uses, so a rotation job can
// find ciphertexts (via KeyID) that are still under an older key.
func (k *Keyring) PrimaryID() string {
	if k == nil || len(k.keys) == 0 {
		return ""
	}
	return k.keys[0].id
}

// Seal encrypts plaintext under the primary key with a fresh random 96-bit
// nonce. aad binds the ciphertext to its place (for example
// "totp|user:<uuid>"): Open succeeds only with the same aad, so a value
// copied to another row is refused. aad must not be empty, because an
// unbound ciphertext is exactly what DESIGN.md §3 forbids.
//
// The output is: version byte 0x01 | len(keyid) (one byte) | keyid |
// nonce (12 bytes) | ciphertext and 16-byte tag. The version, length and key
// id are authenticated too (they are prefixed to aad inside GCM). Random
// nonces limit one key to 2^32 seals; rotate keys well before that.
func (k *Keyring) Seal(plaintext, aad []byte) ([]byte, error) {
	if k == nil || len(k.keys) == 0 {
		return nil, errors.New("encryption: seal: keyring has no keys")
	}
	if len(aad) == 0 {
		return nil, errors.New("encryption: seal: associated data is empty; bind the ciphertext to its place (e.g. \"totp|user:<uuid>\")")
	}
	primary := k.keys[0]
	header := make([]byte, 0, 2+len(primary.id)+nonceSize+len(plaintext)+tagSize)
	header = append(header, formatVersion, byte(len(primary.id)))
	header = append(header, primary.id...)
	return primary.aead.Seal(header, nil, plaintext, gcmAAD(header, aad)), nil
}

// Open decrypts a ciphertext made by Seal with the same aad, under whichever
// key of the ring its key id names. Every failure wraps ErrDecrypt, and the
// message says which failure it was (unknown key id, authentication failed,
// truncated or malformed input) without ever containing a key.
func (k *Keyring) Open(ciphertext, aad []byte) ([]byte, error) {
	id, headerLen, err := parseHeader(ciphertext)
	if err != nil {
		return nil, fmt.Errorf("encryption: open: %w", err)
	}
	if len(aad) == 0 {
		return nil, fmt.Errorf("encryption: open: %w: associated data is empty", ErrDecrypt)
	}
	if k == nil {
		return nil, fmt.Errorf("encryption: open: %w: keyring has no keys", ErrDecrypt)
	}
	aead, ok := k.byID[id]
	if !ok {
		return nil, fmt.Errorf("encryption: open: %w: unknown key id %q", ErrDecrypt, id)
	}
	plaintext, err := aead.Open(nil, nil, ciphertext[headerLen:], gcmAAD(ciphertext[:headerLen], aad))
	if err != nil {
		return nil, fmt.Errorf("encryption: open: %w: authentication failed under key id %q (wrong associated data, or the ciphertext was altered)", ErrDecrypt, id)
	}
	return plaintext, nil
}

// KeyID returns the id of the key that sealed ciphertext, without
// decrypting it, so a rotation job can re-seal the values whose id is not
// PrimaryID(). A malformed or truncated input returns an error wrapping
// ErrDecrypt.
func KeyID(ciphertext []byte) (string, error) {
	id, _, err := parseHeader(ciphertext)
	if err != nil {
		return "", fmt.Errorf("encryption: key id: %w", err)
	}
	return id, nil
}

// parseHeader checks the framing of a ciphertext and returns its key id and
// the length of the header (version, id length, id). It also checks that
// enough bytes follow for a nonce and a tag, so a truncated value is reported
// as truncated rather than as an authentication failure.
func parseHeader(c []byte) (id string, headerLen int, err error) {
	if len(c) < 2 {
		return "", 0, fmt.Errorf("%w: truncated ciphertext (%d bytes, too short for a header)", ErrDecrypt, len(c))
	}
	if c[0] != formatVersion {
		return "", 0, fmt.Errorf("%w: unsupported format version 0x%02x (want 0x%02x)", ErrDecrypt, c[0], formatVersion)
	}
	n := int(c[1])
	if n == 0 || n > maxKeyIDLen {
		return "", 0, fmt.Errorf("%w: malformed ciphertext (key id length %d, want 1 to %d)", ErrDecrypt, n, maxKeyIDLen)
	}
	headerLen = 2 + n
	if len(c) < headerLen {
		return "", 0, fmt.Errorf("%w: truncated ciphertext (%d bytes, header needs %d)", ErrDecrypt, len(c), headerLen)
	}
	id = string(c[2:headerLen])
	if validateKeyID(id) != nil {
		return "", 0, fmt.Errorf("%w: malformed ciphertext (key id %q has characters outside [A-Za-z0-9_-])", ErrDecrypt, id)
	}
	if body := len(c) - headerLen; body < nonceSize+tagSize {
		return "", 0, fmt.Errorf("%w: truncated ciphertext (%d bytes after the header, need at least %d for nonce and tag)", ErrDecrypt, body, nonceSize+tagSize)
	}
	return id, headerLen, nil
}

// gcmAAD is the associated data given to GCM: the ciphertext header followed
// by the caller's aad. The header is self-delimiting (its length byte), so
// the concatenation is unambiguous, and authenticating it means a key id or
// version byte cannot be altered unnoticed.
func gcmAAD(header, aad []byte) []byte {
	out := make([]byte, 0, len(header)+len(aad))
	out = append(out, header...)
	return append(out, aad...)
}

// String describes the ring by key ids only, so logging a Keyring (or a
// struct that holds one) can never leak key material.
func (k *Keyring) String() string {
	if k == nil {
		return "encryption.Keyring(nil)"
	}
	ids := make([]string, len(k.keys))
	for i, e := range k.keys {
		ids[i] = fmt.Sprintf("%q", e.id)
	}
	return fmt.Sprintf("encryption.Keyring{primary: %q, keys: [%s]}", k.PrimaryID(), strings.Join(ids, " "))
}

// GoString makes %#v print the same id-only description as String, instead
// of fmt walking the unexported fields.
func (k *Keyring) GoString() string { return k.String() }
