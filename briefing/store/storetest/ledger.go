package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
)

const lease = 5 * time.Minute

// subscription stores a subscription to claim slots of.
func (e *env) subscription(t *testing.T) store.Subscription {
	t.Helper()
	sub, err := e.s.PutSubscription(ctx, store.Subscription{Platform: "slack", ChannelID: "C1", Topic: "korea",
		Schedule: "0 8 * * *", Timezone: "Asia/Seoul", Stories: 5})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func (e *env) claim(t *testing.T, s store.Store, key store.SlotKey, owner string, now time.Time) store.Slot {
	t.Helper()
	sl, err := s.ClaimSlot(ctx, key, owner, now, lease)
	if err != nil {
		t.Fatalf("ClaimSlot(%s at %v): %v", owner, now, err)
	}
	return sl
}

var ledgerTests = map[string]func(t *testing.T, h *harness){
	"exactly one of 20 racing replicas wins a slot": func(t *testing.T, h *harness) {
		e := h.env(t)
		sub := e.subscription(t)
		replicas := []store.Store{e.s, e.open(t), e.open(t), e.open(t)}
		for round := range 3 { // several slots, to give the race several chances to go wrong
			key := store.SlotKey{SubscriptionID: sub.ID, At: t0.Add(time.Duration(round) * 24 * time.Hour)}
			var (
				mu      sync.Mutex
				winners []string
				other   []error
			)
			race(20, func(i int) {
				owner := fmt.Sprintf("replica-%d", i)
				_, err := replicas[i%len(replicas)].ClaimSlot(ctx, key, owner, t0, lease)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					winners = append(winners, owner)
				case !isErr(err, store.ErrClaimed):
					other = append(other, err)
				}
			})
			if len(winners) != 1 || len(other) > 0 {
				t.Fatalf("round %d: winners %v, unexpected errors %v; want exactly one winner, the others ErrClaimed", round, winners, other)
			}
			slots, err := e.s.Slots(ctx, sub.ID, 1)
			if err != nil || len(slots) != 1 || slots[0].Owner != winners[0] || slots[0].Attempts != 1 {
				t.Fatalf("round %d: ledger %+v (%v), want one claim by %s", round, slots, err, winners[0])
			}
		}
	},

	"a claim is refused while another owner's lease runs": func(t *testing.T, h *harness) {
		e := h.env(t)
		key := store.SlotKey{SubscriptionID: e.subscription(t).ID, At: t0}
		first := e.claim(t, e.s, key, "a", t0)
		if first.State != store.SlotClaimed || first.Owner != "a" || first.Attempts != 1 || !first.LeaseUntil.Equal(t0.Add(lease)) || !first.Key.At.Equal(t0) {
			t.Errorf("claim = %+v", first)
		}
		_, err := e.s.ClaimSlot(ctx, key, "b", t0.Add(lease-time.Second), lease)
		wantErr(t, err, store.ErrClaimed)
	},

	"an expired lease is taken over with attempts counted": func(t *testing.T, h *harness) {
		e := h.env(t)
		key := store.SlotKey{SubscriptionID: e.subscription(t).ID, At: t0}
		e.claim(t, e.s, key, "a", t0)
		later := t0.Add(lease + time.Second)
		sl := e.claim(t, e.s, key, "b", later)
		if sl.Owner != "b" || sl.Attempts != 2 || !sl.LeaseUntil.Equal(later.Add(lease)) {
			t.Errorf("takeover = %+v, want b on attempt 2", sl)
		}
		// The first owner's late finish is refused: the slot is b's now.
		err := e.s.FinishSlot(ctx, key, "a", store.SlotOutcome{State: store.SlotDelivered, MessageID: "m-a"})
		wantErr(t, err, store.ErrClaimed)
		if err := e.s.FinishSlot(ctx, key, "b", store.SlotOutcome{State: store.SlotDelivered, MessageID: "m-b"}); err != nil {
			t.Fatal(err)
		}
	},

	"the same owner claiming again renews its claim as a new attempt": func(t *testing.T, h *harness) {
		e := h.env(t)
		key := store.SlotKey{SubscriptionID: e.subscription(t).ID, At: t0}
		e.claim(t, e.s, key, "a", t0)
		sl := e.claim(t, e.s, key, "a", t0.Add(time.Minute))
		if sl.Attempts != 2 || !sl.LeaseUntil.Equal(t0.Add(time.Minute+lease)) {
			t.Errorf("renewal = %+v", sl)
		}
	},

	"a finished slot records its outcome and cannot be claimed again": func(t *testing.T, h *harness) {
		e := h.env(t)
		sub := e.subscription(t)
		key := store.SlotKey{SubscriptionID: sub.ID, At: t0.Add(500 * time.Millisecond)} // stored to the second
		e.claim(t, e.s, key, "a", t0)
		out := store.SlotOutcome{State: store.SlotDelivered, MessageID: "1712345.000100", Late: true, Reason: "caught up after downtime",
			WindowFrom: t0.Add(-24 * time.Hour), WindowTo: t0, At: t0.Add(2 * time.Second)}
		if err := e.s.FinishSlot(ctx, key, "a", out); err != nil {
			t.Fatal(err)
		}
		_, err := e.s.ClaimSlot(ctx, key, "b", t0.Add(time.Hour), lease)
		wantErr(t, err, store.ErrAlreadyDelivered)
		wantErr(t, e.s.FinishSlot(ctx, key, "a", out), store.ErrAlreadyDelivered)
		last, err := e.s.LastDelivered(ctx, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := store.Slot{Key: store.SlotKey{SubscriptionID: sub.ID, At: t0}, State: store.SlotDelivered, Owner: "a", Attempts: 1,
			MessageID: out.MessageID, Late: true, Reason: out.Reason, WindowFrom: out.WindowFrom, WindowTo: out.WindowTo, UpdatedAt: out.At}
		if last != want {
			t.Errorf("LastDelivered = %+v\nwant %+v", last, want)
		}
	},

	"skipped and failed slots are final too": func(t *testing.T, h *harness) {
		e := h.env(t)
		sub := e.subscription(t)
		for i, st := range []store.SlotState{store.SlotSkipped, store.SlotFailed} {
			key := store.SlotKey{SubscriptionID: sub.ID, At: t0.Add(time.Duration(i) * time.Hour)}
			e.claim(t, e.s, key, "a", t0)
			if err := e.s.FinishSlot(ctx, key, "a", store.SlotOutcome{State: st, Reason: "test"}); err != nil {
				t.Fatal(err)
			}
			_, err := e.s.ClaimSlot(ctx, key, "a", t0.Add(time.Hour), lease)
			wantErr(t, err, store.ErrAlreadyDelivered)
		}
		if last, err := e.s.LastDelivered(ctx, sub.ID); err != nil || last != (store.Slot{}) {
			t.Errorf("LastDelivered = %+v, %v; want none", last, err)
		}
		if err := e.s.FinishSlot(ctx, store.SlotKey{SubscriptionID: sub.ID, At: t0.Add(9 * time.Hour)}, "a", store.SlotOutcome{State: store.SlotClaimed}); err == nil {
			t.Error("FinishSlot accepted 'claimed' as an outcome")
		}
	},

	"a released slot can be claimed at once by another owner": func(t *testing.T, h *harness) {
		e := h.env(t)
		key := store.SlotKey{SubscriptionID: e.subscription(t).ID, At: t0}
		e.claim(t, e.s, key, "a", t0)
		wantErr(t, e.s.ReleaseSlot(ctx, key, "b"), store.ErrClaimed)
		if err := e.s.ReleaseSlot(ctx, key, "a"); err != nil {
			t.Fatal(err)
		}
		wantErr(t, e.s.FinishSlot(ctx, key, "a", store.SlotOutcome{State: store.SlotDelivered}), store.ErrClaimed)
		sl := e.claim(t, e.s, key, "b", t0.Add(time.Second))
		if sl.Owner != "b" || sl.Attempts != 2 {
			t.Errorf("claim after release = %+v, want b on attempt 2", sl)
		}
	},

	"slots of unknown subscriptions or never claimed are not found": func(t *testing.T, h *harness) {
		e := h.env(t)
		_, err := e.s.ClaimSlot(ctx, store.SlotKey{SubscriptionID: 999, At: t0}, "a", t0, lease)
		wantErr(t, err, store.ErrNotFound)
		key := store.SlotKey{SubscriptionID: e.subscription(t).ID, At: t0}
		wantErr(t, e.s.FinishSlot(ctx, key, "a", store.SlotOutcome{State: store.SlotDelivered}), store.ErrNotFound)
		wantErr(t, e.s.ReleaseSlot(ctx, key, "a"), store.ErrNotFound)
	},

	"the ledger lists a subscription's slots newest first": func(t *testing.T, h *harness) {
		e := h.env(t)
		sub := e.subscription(t)
		for i := range 5 {
			key := store.SlotKey{SubscriptionID: sub.ID, At: t0.Add(time.Duration(i) * 24 * time.Hour)}
			e.claim(t, e.s, key, "a", t0)
			if i < 4 {
				if err := e.s.FinishSlot(ctx, key, "a", store.SlotOutcome{State: store.SlotDelivered, MessageID: fmt.Sprint(i)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		slots, err := e.s.Slots(ctx, sub.ID, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(slots) != 3 || slots[0].State != store.SlotClaimed || slots[1].MessageID != "3" || slots[2].MessageID != "2" {
			t.Errorf("Slots = %+v", slots)
		}
		if last, _ := e.s.LastDelivered(ctx, sub.ID); last.MessageID != "3" {
			t.Errorf("LastDelivered = %+v, want message 3", last)
		}
		all, _ := e.s.Slots(ctx, sub.ID, 0)
		if len(all) != 5 {
			t.Errorf("%d slots without a limit, want 5", len(all))
		}
		if err := e.s.DeleteSubscription(ctx, sub.Platform, sub.ChannelID, sub.Topic); err != nil {
			t.Fatal(err)
		}
		if all, _ := e.s.Slots(ctx, sub.ID, 0); len(all) != 0 {
			t.Errorf("%d slots left after the subscription was deleted", len(all))
		}
	},
}

func isErr(err, target error) bool { return errors.Is(err, target) }
