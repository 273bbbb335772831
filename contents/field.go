package contents

import (
	"bytes"
	"encoding/json"
)

// Field is one field of a partial update (PATCH): absent (Set false: left
// unchanged), null (Null: cleared) or a value. A plain pointer cannot tell
// absent from null, and the API gives the two different meanings.
type Field[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// Value returns a Field set to v.
func Value[T any](v T) Field[T] { return Field[T]{Set: true, Value: v} }

// Null returns a Field set to null.
func Null[T any]() Field[T] { return Field[T]{Set: true, Null: true} }

// UnmarshalJSON records that the field was present, and whether it was
// null. The value is decoded as strictly as the request around it: an
// unknown key inside it is refused, as anywhere else in a request.
func (f *Field[T]) UnmarshalJSON(b []byte) error {
	f.Set = true
	if string(bytes.TrimSpace(b)) == "null" {
		f.Null = true
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(&f.Value)
}

// MarshalJSON writes the value, or null when the field is null or absent
// (Go callers and tests build patches as JSON too).
func (f Field[T]) MarshalJSON() ([]byte, error) {
	if !f.Set || f.Null {
		return []byte("null"), nil
	}
	return json.Marshal(f.Value)
}
