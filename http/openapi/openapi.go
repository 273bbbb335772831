// Package openapi holds the OpenAPI 3 document, the public contract of the
// API. It is written by hand in YAML, validated and converted to JSON once,
// and a test fails when the document and the registered routes disagree.
package openapi

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed openapi.yaml
var source []byte

var load = sync.OnceValues(func() ([]byte, error) {
	doc, err := Document()
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})

// Document parses and validates the embedded document.
func Document() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(source)
	if err != nil {
		return nil, fmt.Errorf("load openapi document: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("validate openapi document: %w", err)
	}
	return doc, nil
}

// JSON returns the document as JSON. The document is embedded and checked by
// tests, so failing here is a build defect: it panics rather than serve a
// broken contract.
func JSON() []byte {
	b, err := load()
	if err != nil {
		panic(err)
	}
	return b
}

// Operations lists "METHOD /path" for every operation of the document, in
// OpenAPI path syntax, sorted.
func Operations(doc *openapi3.T) []string {
	var ops []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(ops)
	return ops
}

// FiberPath converts a fiber route path ("/users/:id", "/files/*") to
// OpenAPI syntax ("/users/{id}").
func FiberPath(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if strings.HasPrefix(part, ":") {
			parts[i] = "{" + strings.TrimSuffix(strings.TrimPrefix(part, ":"), "?") + "}"
		}
	}
	return strings.Join(parts, "/")
}
