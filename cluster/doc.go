// Package cluster wires the protoactor-go cluster the organization grains
// live in: kinds, identity lookup, remoting and the membership providers
// (single node, static seeds, etcd).
package cluster
