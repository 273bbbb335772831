package domain

import (
	"crypto/sha256"
	"encoding/hex"
)

// MarkerOf is the hex SHA-256 of a post's title and caption.
func MarkerOf(title, caption string) string {
	sum := sha256.Sum256([]byte(title + "\x00" + caption))
	return hex.EncodeToString(sum[:])
}
