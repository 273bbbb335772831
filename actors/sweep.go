package actors

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
)

// DueOrganizations lists the organizations with publishing work due before
// horizon (and, with includeClaimed, with claims in flight).
type DueOrganizations func(ctx context.Context, horizon time.Time, includeClaimed bool) ([]uuid.UUID, error)

// Waker wakes one organization's grain.
type Waker interface {
	Wake(ctx context.Context, org uuid.UUID, includeClaimed bool) (int, error)
}

// Sweeper is the seed's "every minute" check, made a safety net: grains
// fire their own publications on time, and the sweep re-activates the
// grains with work due within the next period (passivated ones, those of a
// lost node), every period and at every change of the cluster's members.
type Sweeper struct {
	Due    DueOrganizations
	Grains Waker
	Every  time.Duration
	// Changes returns a channel closed at the next topology change (nil:
	// periodic sweeps only).
	Changes func() <-chan struct{}
	Logger  *slog.Logger
	// Parallel bounds the wakes in flight.
	Parallel int
	// Spread paces a periodic sweep's wakes of grains active on this node
	// evenly over this long (default half the period), so that thousands
	// of them reading their due lists again is a steady trickle, not a
	// burst that delays the publications firing meanwhile (their heaps hold
	// twice the period, so a wake up to half a period late loses nothing).
	// Grains not active here (passivated, or on another node) are woken at
	// once, as is every grain after a topology change.
	Spread time.Duration
	// Local reports whether an organization's grain is active on this
	// node (nil: none is).
	Local func(org uuid.UUID) bool
}

// Run sweeps until ctx ends. A periodic sweep is paced over Spread, so it
// runs beside the loop: a topology change meanwhile is swept at once, not
// after it; a tick that finds the previous periodic sweep still running is
// skipped.
func (s *Sweeper) Run(ctx context.Context) {
	log := s.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tick := time.NewTicker(s.Every)
	defer tick.Stop()
	var changes <-chan struct{}
	if s.Changes != nil {
		changes = s.Changes()
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	periodic := make(chan struct{}, 1) // holds a token while a periodic sweep runs
	run := func(claimed bool, done func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer done()
			if n, err := s.sweep(ctx, claimed); err != nil && ctx.Err() == nil {
				log.Warn("schedule sweep failed", slog.Any("error", err), slog.Int("woken", n))
			}
		}()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			select {
			case periodic <- struct{}{}:
				run(false, func() { <-periodic })
			default: // the previous one is still pacing its wakes
			}
		case <-changes:
			changes = s.Changes()
			// Let the membership settle: a burst of events makes one sweep.
			select {
			case <-ctx.Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
			run(true, func() {})
		}
	}
}

// Sweep wakes every organization with work due within the next period, at
// once, and says how many answered.
func (s *Sweeper) Sweep(ctx context.Context, includeClaimed bool) (int, error) {
	return s.wake(ctx, includeClaimed, 0)
}

// sweep is Run's sweep: paced over Spread unless after a topology change.
func (s *Sweeper) sweep(ctx context.Context, includeClaimed bool) (int, error) {
	spread := s.Spread
	if spread <= 0 {
		spread = s.Every / 2
	}
	if includeClaimed {
		spread = 0
	}
	return s.wake(ctx, includeClaimed, spread)
}

func (s *Sweeper) wake(ctx context.Context, includeClaimed bool, spread time.Duration) (int, error) {
	orgs, err := s.Due(ctx, time.Now().Add(s.Every+s.Every/2), includeClaimed)
	if err != nil {
		return 0, err
	}
	// Grains not active here first, at once; then the local ones, paced.
	var now, later []uuid.UUID
	for _, org := range orgs {
		if spread > 0 && s.Local != nil && s.Local(org) {
			later = append(later, org)
		} else {
			now = append(now, org)
		}
	}
	orgs = append(now, later...)
	var pace *time.Ticker
	if len(later) > 1 {
		pace = time.NewTicker(max(spread/time.Duration(len(later)), time.Microsecond))
		defer pace.Stop()
	}
	parallel := max(s.Parallel, 1)
	sem := make(chan struct{}, parallel)
	var mu sync.Mutex
	var woken int
	var firstErr error
	var wg sync.WaitGroup
	for i, org := range orgs {
		if pace != nil && i >= len(now) {
			select {
			case <-ctx.Done():
				wg.Wait()
				return woken, ctx.Err()
			case <-pace.C:
			}
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			_, err := s.Grains.Wake(ctx, org, includeClaimed)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			woken++
		}()
	}
	wg.Wait()
	return woken, firstErr
}
