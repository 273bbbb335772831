package domain

// RefreshOutcome is the result of refreshing an account's token on demand.
type RefreshOutcome int

// Refresh outcomes: a new token is stored; the provider refused for good
// (the account now needs re-authorization); the refresh failed for a
// transient reason.
const (
	Refreshed RefreshOutcome = iota
	RefreshRefused
	RefreshFailed
)
