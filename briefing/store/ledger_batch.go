package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Batched ledger writes: many slots claimed, or finished, in one transaction. When thousands of
// slots fall due in the same minute, a round trip and a commit per slot are what limits a
// replica, not its work; a batch pays them once.
//
// Each slot in a batch is claimed under the same rules as ClaimSlot's and finished under those
// of FinishSlot's. With PostgreSQL, a batch of claims is one statement that only inserts new
// claims (ON CONFLICT DO NOTHING, in key order: replicas claiming overlapping batches at once
// wait for each other in one order, and so never deadlock; and it locks no existing row, so it
// never holds up a batch of outcomes, which changes only rows its owner holds) and returns the
// rows the other slots already had. A slot that may be taken over (its lease expired, its claim
// released, or its owner claiming again) then goes through ClaimSlot's statement on its own. A
// batch the server refuses (a subscription deleted meanwhile) is done again slot by slot.

// slotKeyOrder orders slot keys by subscription, then time: the order in which batches write.
func slotKeyOrder(a, b SlotKey) int {
	if a.SubscriptionID != b.SubscriptionID {
		if a.SubscriptionID < b.SubscriptionID {
			return -1
		}
		return 1
	}
	return a.At.Compare(b.At)
}

// uniqueSlotKeys returns the distinct keys (stored form: UTC, to the second) in key order, and,
// for each of the keys given, its index among them.
func uniqueSlotKeys(keys []SlotKey) (uniq []SlotKey, index []int) {
	uniq = make([]SlotKey, len(keys))
	for i, k := range keys {
		uniq[i] = SlotKey{SubscriptionID: k.SubscriptionID, At: slotAt(k.At)}
	}
	slices.SortFunc(uniq, slotKeyOrder)
	uniq = slices.CompactFunc(uniq, func(a, b SlotKey) bool { return slotKeyOrder(a, b) == 0 })
	index = make([]int, len(keys))
	for i, k := range keys {
		index[i], _ = slices.BinarySearchFunc(uniq, SlotKey{SubscriptionID: k.SubscriptionID, At: slotAt(k.At)}, slotKeyOrder)
	}
	return uniq, index
}

// isServerError reports whether err is an error the PostgreSQL server answered with (a
// constraint, a deadlock), as opposed to a lost connection or an ended context.
func isServerError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe)
}

func (s *sqlStore) ClaimSlots(ctx context.Context, keys []SlotKey, owner string, now time.Time, lease time.Duration) ([]SlotClaim, error) {
	if owner == "" || lease <= 0 {
		return nil, fmt.Errorf("store: claim slots: an owner and a positive lease are required")
	}
	if len(keys) == 0 {
		return nil, nil
	}
	uniq, index := uniqueSlotKeys(keys)
	var (
		claims []SlotClaim
		err    error
	)
	if s.pg {
		claims, err = s.claimSlotsPG(ctx, uniq, owner, now, lease)
	} else {
		claims, err = s.claimSlotsTx(ctx, uniq, owner, now, lease)
	}
	if err != nil {
		return nil, err
	}
	out := make([]SlotClaim, len(keys))
	given := make([]bool, len(uniq))
	for i, u := range index {
		out[i] = claims[u]
		if given[u] {
			// The same slot twice: the first claims it; the others are a second claimer.
			out[i] = SlotClaim{Err: fmt.Errorf("store: claim slot %d@%s: %w: listed twice in one batch",
				uniq[u].SubscriptionID, uniq[u].At.Format(time.RFC3339), ErrClaimed)}
		}
		given[u] = true
	}
	return out, nil
}

// claimSlotsTx claims the slots (distinct, in key order) in one transaction, with ClaimSlot's
// statement: SQLite, whose writer holds the database for the whole transaction.
func (s *sqlStore) claimSlotsTx(ctx context.Context, keys []SlotKey, owner string, now time.Time, lease time.Duration) ([]SlotClaim, error) {
	out := make([]SlotClaim, len(keys))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		claim, err := s.ledger.claim.inTx(ctx, tx)
		if err != nil {
			return err
		}
		defer claim.Close()
		for i, key := range keys {
			sl, err := scanSlot(claim.QueryRowContext(ctx, key.SubscriptionID, s.ts(key.At), owner, s.ts(now.Add(lease)), s.ts(now)))
			switch {
			case err == nil:
				out[i].Slot = sl
			case errors.Is(err, sql.ErrNoRows):
				out[i].Err = s.slotConflictIn(ctx, tx, "claim slot", key)
			default:
				var one int
				if e := tx.QueryRowContext(ctx, `SELECT 1 FROM subscriptions WHERE id = $1`, key.SubscriptionID).Scan(&one); errors.Is(e, sql.ErrNoRows) {
					out[i].Err = fmt.Errorf("store: claim slot: subscription %d: %w", key.SubscriptionID, ErrNotFound)
					continue
				}
				return fmt.Errorf("store: claim slot %d@%s: %w", key.SubscriptionID, key.At.Format(time.RFC3339), err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim slots: %w", err)
	}
	return out, nil
}

// claimSlotsPG claims the slots (distinct, in key order) with one statement that inserts the new
// claims and returns, besides them, the rows the other slots had when it started. A slot whose
// row it could not see (inserted by another replica meanwhile) is read again; those that may be
// taken over are claimed one by one.
func (s *sqlStore) claimSlotsPG(ctx context.Context, keys []SlotKey, owner string, now time.Time, lease time.Duration) ([]SlotClaim, error) {
	out := make([]SlotClaim, len(keys))
	const (
		unseen = iota
		done
		takeover
	)
	state := make([]int, len(keys))
	// seen settles a slot not claimed by the batch by its row sl.
	seen := func(sl Slot) {
		i, found := slices.BinarySearchFunc(keys, sl.Key, slotKeyOrder)
		if !found || state[i] != unseen {
			return
		}
		if sl.State == SlotClaimed && (sl.LeaseUntil.IsZero() || !sl.LeaseUntil.After(slotTime(now)) || sl.Owner == owner) {
			state[i] = takeover // with ClaimSlot's statement, below
			return
		}
		state[i] = done
		out[i].Err = slotConflictOf(fmt.Sprintf("store: claim slot %d@%s", sl.Key.SubscriptionID, sl.Key.At.Format(time.RFC3339)), sl)
	}
	ids := make([]int64, len(keys))
	ats := make([]time.Time, len(keys))
	for i, k := range keys {
		ids[i], ats[i] = k.SubscriptionID, k.At
	}
	err := s.scanSlots(ctx, func(won bool, sl Slot) {
		if !won {
			seen(sl)
			return
		}
		if i, found := slices.BinarySearchFunc(keys, sl.Key, slotKeyOrder); found {
			out[i].Slot, state[i] = sl, done
		}
	}, `WITH k AS (SELECT * FROM unnest($1::bigint[], $2::timestamptz[]) AS k(id, at)),
		claimed AS (
			INSERT INTO slots (subscription_id, slot_at, state, owner, lease_until, attempts, updated_at)
			SELECT k.id, k.at, 'claimed', $3, $4, 1, $5 FROM k
				WHERE EXISTS (SELECT 1 FROM subscriptions WHERE subscriptions.id = k.id)
				ORDER BY k.id, k.at
			ON CONFLICT (subscription_id, slot_at) DO NOTHING
			RETURNING `+slotColumns+`)
		SELECT true, `+slotColumns+` FROM claimed
		UNION ALL
		SELECT false, `+slotColumns+` FROM slots JOIN k ON slots.subscription_id = k.id AND slots.slot_at = k.at`,
		ids, ats, owner, s.ts(now.Add(lease)), s.ts(now))
	if err != nil {
		if ctx.Err() != nil || !isServerError(err) {
			return nil, fmt.Errorf("store: claim slots: %w", err)
		}
		// Refused by the server (a subscription deleted meanwhile, say): one slot at a time,
		// which tells each slot's fate.
		for i, key := range keys {
			out[i].Slot, out[i].Err = s.ClaimSlot(ctx, key, owner, now, lease)
		}
		return out, nil
	}

	// The slots inserted by another replica while the statement ran (or of no subscription).
	ids, ats = ids[:0], ats[:0]
	for i, k := range keys {
		if state[i] == unseen {
			ids, ats = append(ids, k.SubscriptionID), append(ats, k.At)
		}
	}
	if len(ids) > 0 {
		err := s.scanSlots(ctx, func(_ bool, sl Slot) { seen(sl) }, `SELECT false, `+slotColumns+` FROM slots
			WHERE (subscription_id, slot_at) IN (SELECT * FROM unnest($1::bigint[], $2::timestamptz[]))`, ids, ats)
		if err != nil {
			return nil, fmt.Errorf("store: claim slots: %w", err)
		}
	}
	for i, key := range keys {
		switch state[i] {
		case takeover:
			out[i].Slot, out[i].Err = s.ClaimSlot(ctx, key, owner, now, lease)
		case unseen:
			out[i].Err = fmt.Errorf("store: claim slot: subscription %d: %w", key.SubscriptionID, ErrNotFound)
		}
	}
	return out, nil
}

// scanSlots runs a query of a flag and slot rows, handing each row to fn.
func (s *sqlStore) scanSlots(ctx context.Context, fn func(flag bool, sl Slot), query string, args ...any) error {
	rows, err := s.w.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var flag bool
		sl, err := scanSlot(flagged{&flag, rows})
		if err != nil {
			return err
		}
		fn(flag, sl)
	}
	return rows.Err()
}

// flagged scans a boolean column before a row's others.
type flagged struct {
	flag *bool
	r    rowScanner
}

func (f flagged) Scan(dest ...any) error { return f.r.Scan(append([]any{f.flag}, dest...)...) }

// slotTime is a time as PostgreSQL stores it (to the microsecond), for comparisons with times
// read back.
func slotTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func (s *sqlStore) FinishSlots(ctx context.Context, owner string, finishes []SlotFinish) ([]error, error) {
	errs := make([]error, len(finishes))
	// Each slot once, in key order; a slot listed again is finished after the batch, on its own
	// (and so refused: it is finished already).
	var (
		batch []SlotFinish
		index []int // finishes index of each batch entry
		again []int
	)
	seen := make(map[SlotKey]bool, len(finishes))
	for i, f := range finishes {
		switch f.Outcome.State {
		case SlotDelivered, SlotSkipped, SlotFailed:
		default:
			errs[i] = fmt.Errorf("store: finish slot: state %q is not an outcome (delivered, skipped or failed)", f.Outcome.State)
			continue
		}
		f.Key.At = slotAt(f.Key.At)
		if f.Outcome.At.IsZero() {
			f.Outcome.At = s.now()
		}
		if seen[f.Key] {
			again = append(again, i)
			continue
		}
		seen[f.Key] = true
		batch = append(batch, f)
		index = append(index, i)
	}
	order := make([]int, len(batch))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return slotKeyOrder(batch[a].Key, batch[b].Key) })

	var (
		berrs []error
		err   error
	)
	switch {
	case len(batch) == 0:
	case s.pg:
		berrs, err = s.finishSlotsPG(ctx, owner, batch, order)
	default:
		berrs, err = s.finishSlotsTx(ctx, owner, batch, order)
	}
	if err != nil {
		return nil, err
	}
	for j, e := range berrs {
		errs[index[j]] = e
	}
	for _, i := range again {
		errs[i] = s.FinishSlot(ctx, finishes[i].Key, owner, finishes[i].Outcome)
	}
	return errs, nil
}

// finishSlotsTx finishes the slots in one transaction with FinishSlot's statement (SQLite).
func (s *sqlStore) finishSlotsTx(ctx context.Context, owner string, batch []SlotFinish, order []int) ([]error, error) {
	errs := make([]error, len(batch))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		finish, err := s.ledger.finish.inTx(ctx, tx)
		if err != nil {
			return err
		}
		defer finish.Close()
		for _, i := range order {
			key, o := batch[i].Key, batch[i].Outcome
			res, err := finish.ExecContext(ctx, string(o.State), cleanText(o.MessageID), o.Late, cleanText(shorten(o.Reason, 2000)),
				s.ts(o.WindowFrom), s.ts(o.WindowTo), s.ts(o.At), key.SubscriptionID, s.ts(key.At), owner)
			if err != nil {
				return fmt.Errorf("store: finish slot %d@%s: %w", key.SubscriptionID, key.At.Format(time.RFC3339), err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				errs[i] = s.slotConflictIn(ctx, tx, "finish slot", key)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: finish slots: %w", err)
	}
	return errs, nil
}

// finishSlotsPG finishes the slots with one statement; a slot it did not change is explained
// on its own.
func (s *sqlStore) finishSlotsPG(ctx context.Context, owner string, batch []SlotFinish, order []int) ([]error, error) {
	n := len(batch)
	var (
		ids                   = make([]int64, n)
		ats                   = make([]time.Time, n)
		states, msgs, reasons = make([]string, n), make([]string, n), make([]string, n)
		lates                 = make([]bool, n)
		froms, tos            = make([]*time.Time, n), make([]*time.Time, n)
		updated               = make([]time.Time, n)
		keys                  = make([]SlotKey, n)
	)
	optional := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		t = slotTime(t)
		return &t
	}
	for j, i := range order {
		key, o := batch[i].Key, batch[i].Outcome
		keys[j] = key
		ids[j], ats[j] = key.SubscriptionID, key.At
		states[j], msgs[j], lates[j], reasons[j] = string(o.State), cleanText(o.MessageID), o.Late, cleanText(shorten(o.Reason, 2000))
		froms[j], tos[j], updated[j] = optional(o.WindowFrom), optional(o.WindowTo), slotTime(o.At)
	}
	done := make([]bool, n)
	err := func() error {
		rows, err := s.w.QueryContext(ctx, `UPDATE slots SET state = u.state, lease_until = NULL, message_id = u.message_id,
				late = u.late, reason = u.reason, window_from = u.window_from, window_to = u.window_to, updated_at = u.updated_at
			FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::boolean[], $6::text[],
					$7::timestamptz[], $8::timestamptz[], $9::timestamptz[])
				AS u(id, at, state, message_id, late, reason, window_from, window_to, updated_at)
			WHERE slots.subscription_id = u.id AND slots.slot_at = u.at AND slots.state = 'claimed' AND slots.owner = $10
			RETURNING slots.subscription_id, slots.slot_at`,
			ids, ats, states, msgs, lates, reasons, froms, tos, updated, owner)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k SlotKey
			if err := rows.Scan(&k.SubscriptionID, timeCol{&k.At}); err != nil {
				return err
			}
			if j, found := slices.BinarySearchFunc(keys, k, slotKeyOrder); found {
				done[j] = true
			}
		}
		return rows.Err()
	}()
	errs := make([]error, n)
	if err != nil {
		if ctx.Err() != nil || !isServerError(err) {
			return nil, fmt.Errorf("store: finish slots: %w", err)
		}
		// Refused by the server: one slot at a time.
		for j, i := range order {
			errs[i] = s.FinishSlot(ctx, keys[j], owner, batch[i].Outcome)
		}
		return errs, nil
	}
	for j, i := range order {
		if !done[j] {
			errs[i] = s.slotConflict(ctx, "finish slot", keys[j])
		}
	}
	return errs, nil
}
