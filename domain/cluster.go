package domain

import (
	"time"

	"github.com/google/uuid"
)

// GrainActivation is where an organization's grain lives and what it holds:
// the operator's answer to "which node runs this organization".
type GrainActivation struct {
	OrganizationID uuid.UUID    `json:"organization_id"`
	Name           string       `json:"name"`
	MemberID       string       `json:"member_id"`
	Address        string       `json:"address"`
	ActivatedAt    time.Time    `json:"activated_at"`
	Loads          int64        `json:"loads"`
	Children       []GrainChild `json:"children"`
}

// GrainChild is one child actor of an organization grain.
type GrainChild struct {
	AccountID   string `json:"account_id"`
	Kind        string `json:"kind"`
	Status      string `json:"status"`
	Restarts    int32  `json:"restarts"`
	LastFailure string `json:"last_failure,omitempty"`
}

// ClusterView is the actor cluster as one member sees it.
type ClusterView struct {
	AnsweredBy string          `json:"answered_by"`
	Members    []ClusterMember `json:"members"`
}

// ClusterMember is one member of the cluster: what membership says of it
// and, when it answered, what it says of itself.
type ClusterMember struct {
	ID             string        `json:"id"`
	Address        string        `json:"address"`
	Kinds          []string      `json:"kinds"`
	Status         string        `json:"status"`
	Provider       string        `json:"provider,omitempty"`
	ActiveGrains   int64         `json:"active_grains"`
	Activations    int64         `json:"activations"`
	Passivations   int64         `json:"passivations"`
	ChildRestarts  int64         `json:"child_restarts"`
	StartedAt      *time.Time    `json:"started_at,omitempty"`
	UptimeSeconds  int64         `json:"uptime_seconds"`
	FailedChildren []FailedChild `json:"failed_children"`
	Error          string        `json:"error,omitempty"`
}

// FailedChild is a child actor stopped after failing repeatedly.
type FailedChild struct {
	OrganizationID string    `json:"organization_id"`
	AccountID      string    `json:"account_id"`
	Kind           string    `json:"kind"`
	Reason         string    `json:"reason"`
	Failures       int32     `json:"failures"`
	At             time.Time `json:"at"`
}
