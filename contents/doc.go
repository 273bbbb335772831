// Package contents holds the use cases of campaigns and contents: what an
// organization publishes, grouped under objectives, before any of it is
// scheduled. Saving checks only the shape of a content (drafts are
// incomplete); the rules of each network (domain.ValidateContent) apply on
// demand (Validate, the dry run) and to a content already scheduled, whose
// changes must keep it publishable where it is due to go.
//
// Reads and writes go straight to the organization-bound store
// (persistence/postgres): nothing here calls a provider or the
// organization's grain.
package contents
