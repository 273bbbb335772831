// Package migrations holds the database schema as versioned, reversible,
// plain-SQL migrations embedded in the binary, and applies them safely from
// any number of nodes at once.
//
// Files live directly in this folder as NNNN_name.up.sql and
// NNNN_name.down.sql. An applied migration is never edited: its checksum is
// recorded, and a changed file is refused, so every database that reports a
// version has exactly the same schema. Change the schema by adding a new
// migration instead.
package migrations
