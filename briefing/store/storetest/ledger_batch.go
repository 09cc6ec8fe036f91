package storetest

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefing/store"
)

// subscriptions stores n subscriptions to claim slots of.
func (e *env) subscriptions(t *testing.T, n int) []store.Subscription {
	t.Helper()
	out := make([]store.Subscription, n)
	for i := range out {
		sub, err := e.s.PutSubscription(ctx, store.Subscription{Platform: "slack", ChannelID: fmt.Sprintf("C%03d", i),
			Topic: "korea", Schedule: "0 * * * *", Timezone: "UTC", Stories: 5})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = sub
	}
	return out
}

func (e *env) claimSlots(t *testing.T, s store.Store, keys []store.SlotKey, owner string, now time.Time) []store.SlotClaim {
	t.Helper()
	claims, err := s.ClaimSlots(ctx, keys, owner, now, lease)
	if err != nil {
		t.Fatalf("ClaimSlots(%s at %v): %v", owner, now, err)
	}
	if len(claims) != len(keys) {
		t.Fatalf("ClaimSlots returned %d results for %d slots", len(claims), len(keys))
	}
	return claims
}

func (e *env) finishSlots(t *testing.T, s store.Store, owner string, fs []store.SlotFinish) []error {
	t.Helper()
	errs, err := s.FinishSlots(ctx, owner, fs)
	if err != nil {
		t.Fatalf("FinishSlots(%s): %v", owner, err)
	}
	if len(errs) != len(fs) {
		t.Fatalf("FinishSlots returned %d results for %d slots", len(errs), len(fs))
	}
	return errs
}

// row returns the ledger row of a slot.
func (e *env) row(t *testing.T, key store.SlotKey) store.Slot {
	t.Helper()
	rows, err := e.s.Slots(ctx, key.SubscriptionID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Key.At.Equal(key.At) {
			return r
		}
	}
	t.Fatalf("no ledger row for %d@%s", key.SubscriptionID, key.At)
	return store.Slot{}
}

var ledgerBatchTests = map[string]func(t *testing.T, h *harness){
	"a batch claims each slot as ClaimSlot would, in the order given": func(t *testing.T, h *harness) {
		e := h.env(t)
		subs := e.subscriptions(t, 7)
		key := func(i int) store.SlotKey { return store.SlotKey{SubscriptionID: subs[i].ID, At: t0} }
		now := t0.Add(time.Minute)
		// The slots' states before the batch: 0 and 1 new; 2 held by b; 3 held by b, expired; 4
		// held by a itself; 5 released by b; 6 delivered.
		e.claim(t, e.s, key(2), "b", now)
		e.claim(t, e.s, key(3), "b", now.Add(-lease-time.Second))
		e.claim(t, e.s, key(4), "a", now.Add(-time.Minute))
		e.claim(t, e.s, key(5), "b", now)
		if err := e.s.ReleaseSlot(ctx, key(5), "b"); err != nil {
			t.Fatal(err)
		}
		e.claim(t, e.s, key(6), "b", now)
		if err := e.s.FinishSlot(ctx, key(6), "b", store.SlotOutcome{State: store.SlotDelivered, MessageID: "m6"}); err != nil {
			t.Fatal(err)
		}

		unknown := store.SlotKey{SubscriptionID: subs[6].ID + 1000, At: t0}
		keys := []store.SlotKey{key(6), key(1), unknown, key(5), key(4), key(3), key(2), key(1),
			{SubscriptionID: subs[0].ID, At: t0.Add(700 * time.Millisecond)}} // stored to the second
		got := e.claimSlots(t, e.s, keys, "a", now)

		wantWon := func(i, attempts int) {
			t.Helper()
			c := got[i]
			if c.Err != nil {
				t.Fatalf("slot %d: %v, want claimed", i, c.Err)
			}
			k := keys[i]
			k.At = k.At.Truncate(time.Second)
			if c.Slot.Key != k || c.Slot.State != store.SlotClaimed || c.Slot.Owner != "a" || c.Slot.Attempts != attempts ||
				!c.Slot.LeaseUntil.Equal(now.Add(lease)) || !c.Slot.UpdatedAt.Equal(now) {
				t.Errorf("slot %d = %+v, want claimed by a on attempt %d until %s", i, c.Slot, attempts, now.Add(lease))
			}
			if r := e.row(t, k); r != c.Slot {
				t.Errorf("slot %d: ledger row %+v, returned %+v", i, r, c.Slot)
			}
		}
		wantErr(t, got[0].Err, store.ErrAlreadyDelivered)
		wantWon(1, 1)
		wantErr(t, got[2].Err, store.ErrNotFound)
		wantWon(3, 2) // released: taken at once
		wantWon(4, 2) // its own: renewed as a new attempt
		wantWon(5, 2) // expired: taken over
		wantErr(t, got[6].Err, store.ErrClaimed)
		wantErr(t, got[7].Err, store.ErrClaimed) // listed twice
		wantWon(8, 1)
		if r := e.row(t, key(2)); r.Owner != "b" || r.Attempts != 1 {
			t.Errorf("b's claim changed: %+v", r)
		}
		if r := e.row(t, key(6)); r.State != store.SlotDelivered || r.MessageID != "m6" {
			t.Errorf("the delivered slot changed: %+v", r)
		}

		if got, err := e.s.ClaimSlots(ctx, nil, "a", now, lease); err != nil || len(got) != 0 {
			t.Errorf("ClaimSlots of no slots = %v, %v", got, err)
		}
		if _, err := e.s.ClaimSlots(ctx, keys[:1], "", now, lease); err == nil {
			t.Error("ClaimSlots accepted an empty owner")
		}
		if _, err := e.s.ClaimSlots(ctx, keys[:1], "a", now, 0); err == nil {
			t.Error("ClaimSlots accepted a zero lease")
		}
	},

	"a batch finishes each slot as FinishSlot would": func(t *testing.T, h *harness) {
		e := h.env(t)
		subs := e.subscriptions(t, 5)
		key := func(i int) store.SlotKey { return store.SlotKey{SubscriptionID: subs[i].ID, At: t0} }
		for i := range 3 {
			e.claim(t, e.s, key(i), "a", t0)
		}
		e.claim(t, e.s, key(3), "b", t0)
		at := t0.Add(3 * time.Second)
		outs := []store.SlotOutcome{
			{State: store.SlotDelivered, MessageID: "1712345.000100", Late: true, WindowFrom: t0.Add(-24 * time.Hour), WindowTo: t0, At: at},
			{State: store.SlotSkipped, Reason: "missed: older than grace", At: at},
			{State: store.SlotFailed, Reason: "403 not_in_channel"}, // At: the store's clock
		}
		fs := []store.SlotFinish{
			{Key: key(3), Outcome: outs[0]}, // b's
			{Key: key(0), Outcome: outs[0]},
			{Key: key(4), Outcome: outs[0]}, // never claimed
			{Key: store.SlotKey{SubscriptionID: subs[1].ID, At: t0.Add(400 * time.Millisecond)}, Outcome: outs[1]},
			{Key: key(2), Outcome: store.SlotOutcome{State: store.SlotClaimed}}, // not an outcome
			{Key: key(2), Outcome: outs[2]},
			{Key: key(0), Outcome: outs[1]}, // listed again: finished already
		}
		e.clock.Set(t0.Add(5 * time.Second))
		errs := e.finishSlots(t, e.s, "a", fs)
		wantErr(t, errs[0], store.ErrClaimed)
		wantErr(t, errs[2], store.ErrNotFound)
		if errs[4] == nil {
			t.Error("FinishSlots accepted 'claimed' as an outcome")
		}
		wantErr(t, errs[6], store.ErrAlreadyDelivered)
		for _, i := range []int{1, 3, 5} {
			if errs[i] != nil {
				t.Errorf("finish %d: %v", i, errs[i])
			}
		}
		want := []store.Slot{
			{Key: key(0), State: store.SlotDelivered, Owner: "a", Attempts: 1, MessageID: outs[0].MessageID, Late: true,
				WindowFrom: outs[0].WindowFrom, WindowTo: outs[0].WindowTo, UpdatedAt: at},
			{Key: key(1), State: store.SlotSkipped, Owner: "a", Attempts: 1, Reason: outs[1].Reason, UpdatedAt: at},
			{Key: key(2), State: store.SlotFailed, Owner: "a", Attempts: 1, Reason: outs[2].Reason, UpdatedAt: t0.Add(5 * time.Second)},
		}
		for i, w := range want {
			if r := e.row(t, w.Key); r != w {
				t.Errorf("slot %d = %+v\nwant %+v", i, r, w)
			}
		}
		if r := e.row(t, key(3)); r.State != store.SlotClaimed || r.Owner != "b" {
			t.Errorf("b's claim changed: %+v", r)
		}
		if last, err := e.s.LastDelivered(ctx, subs[0].ID); err != nil || last != want[0] {
			t.Errorf("LastDelivered = %+v, %v", last, err)
		}
		if errs, err := e.s.FinishSlots(ctx, "a", nil); err != nil || len(errs) != 0 {
			t.Errorf("FinishSlots of no slots = %v, %v", errs, err)
		}
	},

	"batches take over expired leases, and the old owner's finish is refused": func(t *testing.T, h *harness) {
		e := h.env(t)
		subs := e.subscriptions(t, 6)
		var keys []store.SlotKey
		for _, s := range subs {
			keys = append(keys, store.SlotKey{SubscriptionID: s.ID, At: t0})
		}
		for i, c := range e.claimSlots(t, e.s, keys, "a", t0) {
			if c.Err != nil {
				t.Fatalf("slot %d: %v", i, c.Err)
			}
		}
		other := e.open(t)
		for _, c := range e.claimSlots(t, other, keys, "b", t0.Add(lease-time.Second)) {
			wantErr(t, c.Err, store.ErrClaimed)
		}
		later := t0.Add(lease + time.Second)
		for i, c := range e.claimSlots(t, other, keys[:4], "b", later) {
			if c.Err != nil || c.Slot.Owner != "b" || c.Slot.Attempts != 2 || !c.Slot.LeaseUntil.Equal(later.Add(lease)) {
				t.Errorf("takeover %d = %+v, %v; want b on attempt 2", i, c.Slot, c.Err)
			}
		}
		var fs []store.SlotFinish
		for _, k := range keys {
			fs = append(fs, store.SlotFinish{Key: k, Outcome: store.SlotOutcome{State: store.SlotDelivered, MessageID: "m-a"}})
		}
		errs := e.finishSlots(t, e.s, "a", fs)
		for i, err := range errs {
			if i < 4 {
				wantErr(t, err, store.ErrClaimed)
			} else if err != nil {
				t.Errorf("a's finish of its slot %d: %v", i, err)
			}
		}
		for i, err := range e.finishSlots(t, other, "b", fs) {
			if i < 4 && err != nil {
				t.Errorf("b's finish of slot %d: %v", i, err)
			}
			if i >= 4 {
				wantErr(t, err, store.ErrAlreadyDelivered)
			}
		}
	},

	"batch and single claims of several stores racing over the same slots: each slot won exactly once": func(t *testing.T, h *harness) {
		e := h.env(t)
		const nsubs, slots, claimers = 30, 3, 12
		subs := e.subscriptions(t, nsubs)
		stores := []store.Store{e.s, e.open(t), e.open(t), e.open(t)}
		var keys []store.SlotKey
		for _, s := range subs {
			for j := range slots {
				keys = append(keys, store.SlotKey{SubscriptionID: s.ID, At: t0.Add(time.Duration(j) * time.Hour)})
			}
		}
		var (
			mu      sync.Mutex
			winners = map[store.SlotKey][]string{}
			other   []error
		)
		won := func(key store.SlotKey, owner string, sl store.Slot, err error) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				winners[key] = append(winners[key], owner)
				if sl.Owner != owner || sl.Attempts != 1 {
					other = append(other, fmt.Errorf("%s won %+v", owner, sl))
				}
			case !isErr(err, store.ErrClaimed):
				other = append(other, err)
			}
		}
		race(claimers, func(i int) {
			owner := fmt.Sprintf("replica-%d", i)
			s := stores[i%len(stores)]
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			mine := append([]store.SlotKey(nil), keys...)
			rng.Shuffle(len(mine), func(a, b int) { mine[a], mine[b] = mine[b], mine[a] })
			if i%4 == 3 { // one claimer in four claims slot by slot
				for _, k := range mine {
					sl, err := s.ClaimSlot(ctx, k, owner, t0, lease)
					won(k, owner, sl, err)
				}
				return
			}
			for len(mine) > 0 { // the others in batches of 1 to 40, each in its own order
				n := min(len(mine), 1+rng.IntN(40))
				claims, err := s.ClaimSlots(ctx, mine[:n], owner, t0, lease)
				if err != nil {
					won(store.SlotKey{}, owner, store.Slot{}, err)
					return
				}
				for j, c := range claims {
					won(mine[j], owner, c.Slot, c.Err)
				}
				mine = mine[n:]
			}
		})
		if len(other) > 0 {
			t.Fatalf("unexpected results: %v", other)
		}
		byOwner := map[string][]store.SlotFinish{}
		for _, k := range keys {
			w := winners[k]
			if len(w) != 1 {
				t.Fatalf("slot %d@%s won by %v, want exactly one claimer", k.SubscriptionID, k.At, w)
			}
			if r := e.row(t, k); r.Owner != w[0] || r.State != store.SlotClaimed {
				t.Errorf("slot %d@%s: ledger %+v, but %s won it", k.SubscriptionID, k.At, r, w[0])
			}
			byOwner[w[0]] = append(byOwner[w[0]], store.SlotFinish{Key: k, Outcome: store.SlotOutcome{State: store.SlotDelivered, MessageID: w[0]}})
		}
		// Each winner finishes its slots in one batch, all at once.
		var owners []string
		for o := range byOwner {
			owners = append(owners, o)
		}
		race(len(owners), func(i int) {
			errs, err := stores[i%len(stores)].FinishSlots(ctx, owners[i], byOwner[owners[i]])
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				other = append(other, err)
			}
			for _, err := range errs {
				if err != nil {
					other = append(other, err)
				}
			}
		})
		if len(other) > 0 {
			t.Fatalf("finishing: %v", other)
		}
		for _, k := range keys {
			if r := e.row(t, k); r.State != store.SlotDelivered || r.MessageID != r.Owner {
				t.Errorf("slot %d@%s: ledger %+v, want delivered by its owner", k.SubscriptionID, k.At, r)
			}
		}
	},
}
