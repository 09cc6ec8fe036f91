package config_test

import (
	"testing"

	"github.com/briefbot/briefbot/config"
)

func TestErrorCountSaysHowManyProblems(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{1, "1 problem"}, {2, "2 problems"}, {12, "12 problems"}} {
		e := &config.Error{Problems: make([]config.Problem, c.n)}
		if got := e.Count(); got != c.want {
			t.Errorf("%d problems: Count() = %q, want %q", c.n, got, c.want)
		}
	}
}
