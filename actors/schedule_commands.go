package actors

import (
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/socialmediamanager/smm/actors/actorpb"
	"github.com/socialmediamanager/smm/domain"
)

// Schedule creates a content's publications.
func (g *organizationGrain) Schedule(req *actorpb.ScheduleRequest, _ cluster.GrainContext) (*actorpb.Publications, error) {
	return nil, toGrainError(domain.Errorf(domain.CodeUnavailable, "not yet"))
}

// Unschedule cancels a content's waiting publications.
func (g *organizationGrain) Unschedule(req *actorpb.UnscheduleRequest, _ cluster.GrainContext) (*actorpb.Publications, error) {
	return nil, toGrainError(domain.Errorf(domain.CodeUnavailable, "not yet"))
}

// Reschedule moves a waiting publication.
func (g *organizationGrain) Reschedule(req *actorpb.RescheduleRequest, _ cluster.GrainContext) (*actorpb.Publications, error) {
	return nil, toGrainError(domain.Errorf(domain.CodeUnavailable, "not yet"))
}

// RetryPublication re-drives a failed publication.
func (g *organizationGrain) RetryPublication(req *actorpb.RetryPublicationRequest, _ cluster.GrainContext) (*actorpb.Publications, error) {
	return nil, toGrainError(domain.Errorf(domain.CodeUnavailable, "not yet"))
}

// Wake reloads the due publications.
func (g *organizationGrain) Wake(req *actorpb.WakeRequest, _ cluster.GrainContext) (*actorpb.WakeReply, error) {
	return &actorpb.WakeReply{}, nil
}
