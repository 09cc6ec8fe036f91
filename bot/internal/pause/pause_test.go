package pause

import (
	"context"
	"testing"
	"time"
)

func TestForWaitsItsTimeWhileTheContextLasts(t *testing.T) {
	if !For(context.Background(), time.Millisecond) {
		t.Error("a pause under a live context reported its context ended")
	}
}

func TestForEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan bool)
	go func() { done <- For(ctx, time.Hour) }()
	select {
	case ok := <-done:
		if ok {
			t.Error("a pause whose context ended reported it waited its time")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a pause of an hour did not end with its context")
	}
}
