package domain

import (
	"time"

	"github.com/google/uuid"
)

// Position is a keyset-pagination position: the sort time and id of the
// last item of the previous page. The HTTP edge carries it inside an opaque,
// signed cursor.
type Position struct {
	Time time.Time `json:"t"`
	ID   uuid.UUID `json:"i"`
}

// IdempotencyRecord is a request stored under an Idempotency-Key, with its
// response once known (Status 0 while the first request is in flight).
type IdempotencyRecord struct {
	Method      string
	Path        string
	RequestHash string
	Status      int
	ContentType string
	Body        []byte
	CreatedAt   time.Time
}
