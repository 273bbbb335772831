package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/socialmediamanager/smm/domain"
)

// Page sizes of every list endpoint.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// macSize is the length of the truncated HMAC-SHA256 tag on a cursor: 128
// bits, plenty to make forging one hopeless.
const macSize = 16

// Cursors encodes and checks pagination cursors. A cursor is opaque to the
// client (base64url of a position chosen by the list) and tamper-evident: it
// carries an HMAC over the position and the list it belongs to, so an edited
// cursor, or one taken from another list, answers 400 invalid_cursor rather
// than reaching a query.
type Cursors struct {
	key []byte
}

// NewCursors returns a codec keyed by secret.
func NewCursors(secret string) Cursors { return Cursors{key: []byte(secret)} }

// PageRequest is what a client asked for: how many items, and after which
// position (nil for the first page).
type PageRequest struct {
	Limit       int
	LimitCapped bool
	After       []byte
}

// Encode makes the cursor that resumes list scope after position.
func (cs Cursors) Encode(scope string, position []byte) string {
	tag := cs.mac(scope, position)
	return base64.RawURLEncoding.EncodeToString(position) + "." + base64.RawURLEncoding.EncodeToString(tag)
}

// Decode checks a cursor made for scope and returns its position.
func (cs Cursors) Decode(scope, cursor string) ([]byte, error) {
	bad := &domain.Error{Code: domain.CodeInvalidCursor, Field: "cursor", Message: "cursor is malformed, expired or belongs to another list; start again without it"}
	pos64, tag64, ok := strings.Cut(cursor, ".")
	if !ok || len(cursor) > 2048 {
		return nil, bad
	}
	// Strict decoding refuses non-zero padding bits, so one cursor has
	// exactly one spelling.
	strict := base64.RawURLEncoding.Strict()
	pos, err1 := strict.DecodeString(pos64)
	tag, err2 := strict.DecodeString(tag64)
	if err1 != nil || err2 != nil || !hmac.Equal(tag, cs.mac(scope, pos)) {
		return nil, bad
	}
	return pos, nil
}

func (cs Cursors) mac(scope string, position []byte) []byte {
	m := hmac.New(sha256.New, cs.key)
	m.Write([]byte(scope))
	m.Write([]byte{0})
	m.Write(position)
	return m.Sum(nil)[:macSize]
}

// ParsePage reads ?limit= and ?cursor= for list scope. A limit above
// MaxLimit is capped (and said so in meta), not refused; a limit that is not
// a positive whole number is refused, naming the field.
func (cs Cursors) ParsePage(c *fiber.Ctx, scope string) (PageRequest, error) {
	p := PageRequest{Limit: DefaultLimit}
	if raw := c.Query("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return p, domain.Invalid("limit", "must be a whole number from 1 to %d", MaxLimit)
		}
		if n > MaxLimit {
			n, p.LimitCapped = MaxLimit, true
		}
		p.Limit = n
	}
	if raw := c.Query("cursor"); raw != "" {
		pos, err := cs.Decode(scope, raw)
		if err != nil {
			return p, err
		}
		p.After = pos
	}
	return p, nil
}

// PageMeta builds the meta of a page: lists fetch Limit+1 items, pass
// whether the extra one existed, and the position of the last item returned.
func (cs Cursors) PageMeta(scope string, req PageRequest, hasMore bool, last []byte) PageMeta {
	m := PageMeta{HasMore: hasMore, Limit: req.Limit, LimitCapped: req.LimitCapped}
	if hasMore {
		next := cs.Encode(scope, last)
		m.NextCursor = &next
	}
	return m
}
