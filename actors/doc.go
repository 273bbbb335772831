// Package actors holds the organization grain and its children (one account
// actor and one sync actor per social account): the in-memory owners of an
// organization's publish schedule, rate-limit buckets and circuit breakers.
// PostgreSQL stays the source of truth; a grain rebuilds itself from it.
package actors
