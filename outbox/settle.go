package outbox

import (
	"context"
)

// dropJob forgets a job whose lease was lost. Called with rn.mu held.
func (rn *run) dropJob(j *job) {
	j.cs.jobs--
	if j.cs.jobs == 0 {
		delete(rn.inflight, j.cs.claim.Entry.ID)
		rn.cond.Broadcast()
		rn.signalDrained()
	}
}

// signalDrained tells a following run's idle claim loop that the last
// claim in flight is settled. Called with rn.mu held.
func (rn *run) signalDrained() {
	if len(rn.inflight) == 0 {
		select {
		case rn.drained <- struct{}{}:
		default:
		}
	}
}

// failTarget settles every queued job of a target whose connections
// fail (q.dead): deferred with that error (failed when it is Permanent
// or the entry is past its maximum age), all in one commit.
func (rn *run) failTarget(ctx context.Context, q *targetQ) {
	for {
		rn.mu.Lock()
		err := q.dead
		if err == nil {
			rn.mu.Unlock()
			return
		}
		var jobs []*job
		for rn.failed.Load() == nil {
			j := rn.pop(q)
			if j == nil {
				break
			}
			jobs = append(jobs, j)
		}
		rn.mu.Unlock()
		if len(jobs) == 0 {
			return
		}
		outs := make([]Outcome, len(jobs))
		var events []Event
		for i, j := range jobs {
			var ev []Event
			outs[i], ev = rn.outcome(j, nil, err)
			events = append(events, ev...)
		}
		if rn.recordMany(ctx, jobs, outs, nil) != nil {
			return
		}
		rn.tally(events)
	}
}

// renewLoop extends the run's leases every Lease/3 while it works, so a
// long DATA or a slow server never lets a claim run out under it.
func (rn *run) renewLoop(ctx context.Context, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case <-ctx.Done():
			return
		case <-rn.clock.After(rn.lease / 3):
		}
		rn.mu.Lock()
		ids := make([]ID, 0, len(rn.inflight))
		for id := range rn.inflight {
			ids = append(ids, id)
		}
		rn.mu.Unlock()
		if len(ids) == 0 {
			continue
		}
		lost, err := rn.r.Store.Renew(context.WithoutCancel(ctx), rn.owner, ids, rn.clock.Now().Add(rn.lease))
		if err != nil {
			continue // the next renewal may succeed; the lease still has 2/3 of its time
		}
		rn.mu.Lock()
		for _, id := range lost {
			if cs := rn.inflight[id]; cs != nil {
				cs.lost = true // jobs not yet started are dropped; another runner has it
			}
		}
		rn.mu.Unlock()
	}
}

// releaseLeftovers gives back claims the run did not get to (cancelled,
// or stopped by a store failure), so they are due again at once instead
// of waiting for their leases to run out.
func (rn *run) releaseLeftovers(ctx context.Context) {
	rn.mu.Lock()
	var out []Outcome
	for id, cs := range rn.inflight {
		if !cs.lost {
			out = append(out, Outcome{ID: id, Owner: rn.owner})
		}
	}
	rn.inflight = map[ID]*claimState{}
	rn.mu.Unlock()
	if len(out) > 0 {
		rn.r.Store.Record(ctx, out)
	}
}
