package providers

import "regexp"

// urlQuery matches the query of a URL in free text.
var urlQuery = regexp.MustCompile(`(https?://[^\s"'?#]+)\?[^\s"'#]*`)

// RedactURLs replaces the query of every URL in s with "?…": Instagram's
// Graph API takes access tokens and client secrets in the query, and error
// texts (url.Error, a provider's message) may quote the URL.
func RedactURLs(s string) string { return urlQuery.ReplaceAllString(s, "$1?…") }
