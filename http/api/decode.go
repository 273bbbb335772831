package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/socialmediamanager/smm/domain"
)

// DecodeJSON strictly decodes the request body into dst: the content type
// must be JSON (415 otherwise), the body one well-formed JSON value, and
// every key known to dst. Each failure names the field at fault where one
// exists, so a client can fix its request without guessing.
func DecodeJSON(c *fiber.Ctx, dst any) error {
	return decodeBody(c.Get(fiber.HeaderContentType), c.Body(), dst)
}

// decodeBody is DecodeJSON without fiber, so it can be fuzzed directly.
func decodeBody(contentType string, body []byte, dst any) error {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || (mt != fiber.MIMEApplicationJSON && !strings.HasSuffix(mt, "+json")) {
		return domain.Errorf(domain.CodeUnsupportedMediaType, "Content-Type must be application/json")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return domain.Invalid("body", "request body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return domain.Invalid("body", "request body must hold a single JSON value")
	}
	return nil
}

// decodeError turns encoding/json's errors into field-level domain errors.
func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return &domain.Error{Code: domain.CodeInvalid, Field: "body", Message: "malformed JSON at byte " + strconv.FormatInt(syntax.Offset, 10), Err: err}
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return &domain.Error{Code: domain.CodeInvalid, Field: field, Message: "must be " + jsonKind(typeErr.Type.Kind().String()), Err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &domain.Error{Code: domain.CodeInvalid, Field: "body", Message: "malformed JSON: unexpected end of body", Err: err}
	}
	// encoding/json reports unknown keys only as text: `json: unknown field "x"`.
	const prefix = `json: unknown field "`
	if msg := err.Error(); strings.HasPrefix(msg, prefix) {
		field := strings.TrimSuffix(strings.TrimPrefix(msg, prefix), `"`)
		if field == "" {
			return &domain.Error{Code: domain.CodeInvalid, Field: "body", Message: `unknown field "" (an empty key)`, Err: err}
		}
		return &domain.Error{Code: domain.CodeInvalid, Field: field, Message: "unknown field", Err: err}
	}
	return &domain.Error{Code: domain.CodeInvalid, Field: "body", Message: "malformed JSON", Err: err}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	}
	return "a valid " + goKind
}
