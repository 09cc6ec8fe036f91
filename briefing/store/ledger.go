package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The delivery ledger. Every write is one atomic statement guarded by the slot's state and
// owner, so that replicas racing for a slot (on PostgreSQL, or processes sharing a SQLite file)
// agree on exactly one winner without any lock held across a post.

const slotColumns = `subscription_id, slot_at, state, owner, lease_until, attempts, message_id, late, reason,
	window_from, window_to, updated_at`

func scanSlot(r rowScanner) (Slot, error) {
	var sl Slot
	var state string
	err := r.Scan(&sl.Key.SubscriptionID, timeCol{&sl.Key.At}, &state, &sl.Owner, timeCol{&sl.LeaseUntil}, &sl.Attempts,
		&sl.MessageID, &sl.Late, &sl.Reason, timeCol{&sl.WindowFrom}, timeCol{&sl.WindowTo}, timeCol{&sl.UpdatedAt})
	sl.State = SlotState(state)
	return sl, err
}

// ledgerStmts are the ledger's statements. A burst of slots due in the same minute runs them
// thousands of times: with SQLite they are prepared once, when the store opens, since preparing
// costs SQLite more than running them; PostgreSQL's driver prepares and caches the statements it
// runs on each of its connections itself. (A database/sql statement prepared on the PostgreSQL
// pool would be prepared and deallocated again at every use: the pool, not database/sql, keeps
// the connections.)
type ledgerStmts struct {
	claim, finish, release, lastDelivered reusedStmt
}

// reusedStmt is a statement run many times: prepared (st) or run by its text.
type reusedStmt struct {
	db    *sql.DB
	query string
	st    *sql.Stmt
}

func (r *reusedStmt) queryRow(ctx context.Context, args ...any) *sql.Row {
	if r.st != nil {
		return r.st.QueryRowContext(ctx, args...)
	}
	return r.db.QueryRowContext(ctx, r.query, args...)
}

func (r *reusedStmt) exec(ctx context.Context, args ...any) (sql.Result, error) {
	if r.st != nil {
		return r.st.ExecContext(ctx, args...)
	}
	return r.db.ExecContext(ctx, r.query, args...)
}

// inTx returns the statement for use in tx (the prepared one, when there is one); the caller
// closes it.
func (r *reusedStmt) inTx(ctx context.Context, tx *sql.Tx) (*sql.Stmt, error) {
	if r.st != nil {
		return tx.StmtContext(ctx, r.st), nil
	}
	return tx.PrepareContext(ctx, r.query)
}

func (s *sqlStore) prepareLedger(ctx context.Context) error {
	s.ledger = ledgerStmts{
		// Insert the claim; or take the slot over when it is still claimed but its lease has
		// expired, it was released, or the claimer is the same owner trying again.
		claim: reusedStmt{db: s.w, query: `INSERT INTO slots (subscription_id, slot_at, state, owner, lease_until, attempts, updated_at)
			VALUES ($1, $2, 'claimed', $3, $4, 1, $5)
			ON CONFLICT (subscription_id, slot_at) DO UPDATE
				SET owner = excluded.owner, lease_until = excluded.lease_until, attempts = slots.attempts + 1,
					updated_at = excluded.updated_at
				WHERE slots.state = 'claimed'
					AND (slots.lease_until IS NULL OR slots.lease_until <= excluded.updated_at OR slots.owner = excluded.owner)
			RETURNING ` + slotColumns},
		finish: reusedStmt{db: s.w, query: `UPDATE slots SET state = $1, lease_until = NULL, message_id = $2, late = $3, reason = $4,
			window_from = $5, window_to = $6, updated_at = $7
			WHERE subscription_id = $8 AND slot_at = $9 AND state = 'claimed' AND owner = $10`},
		release: reusedStmt{db: s.w, query: `UPDATE slots SET owner = '', lease_until = NULL, updated_at = $1
			WHERE subscription_id = $2 AND slot_at = $3 AND state = 'claimed' AND owner = $4`},
		lastDelivered: reusedStmt{db: s.r, query: `SELECT ` + slotColumns + ` FROM slots
			WHERE subscription_id = $1 AND state = 'delivered' ORDER BY slot_at DESC LIMIT 1`},
	}
	if s.pg {
		return nil
	}
	for _, r := range s.ledger.all() {
		st, err := r.db.PrepareContext(ctx, r.query)
		if err != nil {
			return fmt.Errorf("store: prepare ledger statements: %w", err)
		}
		r.st = st
	}
	return nil
}

func (l *ledgerStmts) all() []*reusedStmt {
	return []*reusedStmt{&l.claim, &l.finish, &l.release, &l.lastDelivered}
}

// close closes the prepared statements.
func (l *ledgerStmts) close() {
	for _, r := range l.all() {
		if r.st != nil {
			r.st.Close()
		}
	}
}

// slotAt is the stored form of a slot's time: UTC, to the second.
func slotAt(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

func (s *sqlStore) ClaimSlot(ctx context.Context, key SlotKey, owner string, now time.Time, lease time.Duration) (Slot, error) {
	if owner == "" || lease <= 0 {
		return Slot{}, fmt.Errorf("store: claim slot: an owner and a positive lease are required")
	}
	key.At = slotAt(key.At)
	row := s.ledger.claim.queryRow(ctx, key.SubscriptionID, s.ts(key.At), owner, s.ts(now.Add(lease)), s.ts(now))
	sl, err := scanSlot(row)
	switch {
	case err == nil:
		return sl, nil
	case errors.Is(err, sql.ErrNoRows):
		return Slot{}, s.slotConflict(ctx, "claim slot", key)
	default:
		if !s.subscriptionExists(ctx, key.SubscriptionID) {
			return Slot{}, fmt.Errorf("store: claim slot: subscription %d: %w", key.SubscriptionID, ErrNotFound)
		}
		return Slot{}, fmt.Errorf("store: claim slot %d@%s: %w", key.SubscriptionID, key.At.Format(time.RFC3339), err)
	}
}

func (s *sqlStore) FinishSlot(ctx context.Context, key SlotKey, owner string, o SlotOutcome) error {
	switch o.State {
	case SlotDelivered, SlotSkipped, SlotFailed:
	default:
		return fmt.Errorf("store: finish slot: state %q is not an outcome (delivered, skipped or failed)", o.State)
	}
	if o.At.IsZero() {
		o.At = s.now()
	}
	key.At = slotAt(key.At)
	res, err := s.ledger.finish.exec(ctx, string(o.State), cleanText(o.MessageID), o.Late, cleanText(shorten(o.Reason, 2000)),
		s.ts(o.WindowFrom), s.ts(o.WindowTo), s.ts(o.At), key.SubscriptionID, s.ts(key.At), owner)
	if err != nil {
		return fmt.Errorf("store: finish slot %d@%s: %w", key.SubscriptionID, key.At.Format(time.RFC3339), err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.slotConflict(ctx, "finish slot", key)
	}
	return nil
}

func (s *sqlStore) ReleaseSlot(ctx context.Context, key SlotKey, owner string) error {
	key.At = slotAt(key.At)
	res, err := s.ledger.release.exec(ctx, s.ts(s.now()), key.SubscriptionID, s.ts(key.At), owner)
	if err != nil {
		return fmt.Errorf("store: release slot %d@%s: %w", key.SubscriptionID, key.At.Format(time.RFC3339), err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.slotConflict(ctx, "release slot", key)
	}
	return nil
}

// slotConflict explains why a guarded ledger write changed nothing.
func (s *sqlStore) slotConflict(ctx context.Context, op string, key SlotKey) error {
	return s.slotConflictIn(ctx, s.w, op, key)
}

// slotConflictIn is slotConflict reading through q (a transaction, or the writer pool).
func (s *sqlStore) slotConflictIn(ctx context.Context, q querier, op string, key SlotKey) error {
	where := fmt.Sprintf("store: %s %d@%s", op, key.SubscriptionID, key.At.Format(time.RFC3339))
	sl, err := scanSlot(q.QueryRowContext(ctx, `SELECT `+slotColumns+` FROM slots WHERE subscription_id = $1 AND slot_at = $2`,
		key.SubscriptionID, s.ts(key.At)))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", where, ErrNotFound)
	case err != nil:
		return fmt.Errorf("%s: %w", where, err)
	}
	return slotConflictOf(where, sl)
}

// slotConflictOf is the error of a guarded ledger write refused because of the slot's row sl.
func slotConflictOf(where string, sl Slot) error {
	switch {
	case sl.State != SlotClaimed:
		return fmt.Errorf("%s: %w (%s)", where, ErrAlreadyDelivered, sl.State)
	case sl.Owner == "":
		return fmt.Errorf("%s: %w: the claim was released", where, ErrClaimed)
	default:
		return fmt.Errorf("%s: %w: held by %s until %s", where, ErrClaimed, sl.Owner, sl.LeaseUntil.Format(time.RFC3339))
	}
}

// querier runs a query returning one row: *sql.DB and *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *sqlStore) subscriptionExists(ctx context.Context, id int64) bool {
	var one int
	err := s.w.QueryRowContext(ctx, `SELECT 1 FROM subscriptions WHERE id = $1`, id).Scan(&one)
	return err == nil
}

func (s *sqlStore) LastDelivered(ctx context.Context, subscriptionID int64) (Slot, error) {
	sl, err := scanSlot(s.ledger.lastDelivered.queryRow(ctx, subscriptionID))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Slot{}, nil
	case err != nil:
		return Slot{}, fmt.Errorf("store: last delivered of subscription %d: %w", subscriptionID, err)
	}
	return sl, nil
}

func (s *sqlStore) Slots(ctx context.Context, subscriptionID int64, limit int) ([]Slot, error) {
	query := `SELECT ` + slotColumns + ` FROM slots WHERE subscription_id = $1 ORDER BY slot_at DESC`
	args := []any{subscriptionID}
	if limit > 0 {
		query += ` LIMIT $2`
		args = append(args, limit)
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: slots of subscription %d: %w", subscriptionID, err)
	}
	defer rows.Close()
	var out []Slot
	for rows.Next() {
		sl, err := scanSlot(rows)
		if err != nil {
			return nil, fmt.Errorf("store: slots of subscription %d: %w", subscriptionID, err)
		}
		out = append(out, sl)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: slots of subscription %d: %w", subscriptionID, err)
	}
	return out, nil
}
