// Command briefbot turns news articles into key-quote briefings and delivers them to Slack,
// Discord or the terminal.
//
// Each subcommand lives in its own file (cmd_NAME.go) and is listed in commands below.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/briefbot/briefbot/config"
)

// command is one subcommand of briefbot.
type command struct {
	Name    string
	Usage   string // the argument synopsis, after "briefbot NAME"
	Summary string // one line for the command list
	// Run parses args with fs and does the work. Output goes to env.Stdout; a returned error is
	// printed as one line and makes the exit status non-zero.
	Run func(ctx context.Context, env *Env, args []string) error
}

// Env is what a subcommand may touch of the outside world; tests give it buffers.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// StdinIsTerminal and StdoutIsTerminal switch prompts and progress bars on.
	StdinIsTerminal  bool
	StdoutIsTerminal bool
	// Now is the clock of commands that look back from now (brief); nil means time.Now.
	Now func() time.Time
	// Hangups lets a command take SIGHUP over (briefbot run reloads its configuration on it);
	// nil: SIGHUP is not the command's business (tests that call run).
	Hangups *hangups
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// errUsage is returned after a usage message was printed (exit status 2).
var errUsage = errors.New("usage")

func commands() []command {
	cmds := []command{
		// One line per subcommand, each defined in its cmd_NAME.go.
		briefCommand(),
		checkCommand(),
		demoCommand(),
		ingestCommand(),
		quotesCommand(),
		runCommand(),
		topicsCommand(),
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	return cmds
}

// stopSignals end a command cleanly: Ctrl-C, SIGTERM (docker stop, systemctl stop) and SIGHUP
// (the terminal went away), except that briefbot run with a config file takes SIGHUP over to
// reload the file (see hangups).
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// notifyStop returns a context that ends at the first of stopSignals (context.Cause names it),
// and the hangups through which a command may take SIGHUP over. Once the context has ended, the
// signals have their default effect again: a second one ends the process at once.
func notifyStop(parent context.Context) (context.Context, *hangups, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	h := &hangups{}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, stopSignals...)
	go func() {
		defer signal.Stop(sigs)
		for {
			select {
			case <-ctx.Done():
				return
			case sig := <-sigs:
				if sig == syscall.SIGHUP && h.deliver() {
					continue
				}
				cancel(signalError(sig.String() + " signal received"))
				return
			}
		}
	}()
	return ctx, h, func() { cancel(context.Canceled) }
}

// signalError is the cause of a context a signal ended. It is a context.Canceled, as the end of
// a run asked for.
type signalError string

func (e signalError) Error() string { return string(e) }

func (e signalError) Is(target error) bool { return target == context.Canceled }

// hangups routes SIGHUP to the command that took it over, if any.
type hangups struct {
	mu     sync.Mutex
	reload chan struct{} // nil: SIGHUP stops the command
}

// take makes each SIGHUP a request on the returned channel instead of a stop, until release is
// called. Requests that arrive while one is pending are merged into it. On a nil *hangups the
// channel never receives.
func (h *hangups) take() (requests <-chan struct{}, release func()) {
	if h == nil {
		return nil, func() {}
	}
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	h.reload = ch
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		if h.reload == ch {
			h.reload = nil
		}
		h.mu.Unlock()
	}
}

// deliver hands a SIGHUP to the command that took it over; false when none did.
func (h *hangups) deliver() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.reload == nil {
		return false
	}
	select {
	case h.reload <- struct{}{}:
	default: // one is pending already
	}
	return true
}

func main() {
	// The first signal starts a clean shutdown; a second one ends the process at once.
	ctx, hups, stop := notifyStop(context.Background())
	env := &Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		StdinIsTerminal: isTerminal(os.Stdin), StdoutIsTerminal: isTerminal(os.Stdout),
		Hangups: hups,
	}
	code := run(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and returns the exit status.
func run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		// `briefbot run` runs the config file $BRIEFBOT_CONFIG names, else ./briefbot.yaml, else
		// the demo.
		args = []string{"run"}
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "help" {
		printCommands(env.Stdout)
		return 0
	}
	for _, c := range commands() {
		if c.Name != name {
			continue
		}
		err := c.Run(ctx, env, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			printError(env.Stderr, name, err)
			return 1
		}
	}
	fmt.Fprintf(env.Stderr, "briefbot: unknown command %q (try briefbot --help)\n", name)
	return 2
}

// printError prints a subcommand's error: a configuration's problems one per line (each led by
// file:line, as compilers write them), anything else on one line.
func printError(w io.Writer, name string, err error) {
	var cfgErr *config.Error
	if errors.As(err, &cfgErr) {
		fmt.Fprintf(w, "briefbot %s: the configuration has %s:\n", name, cfgErr.Count())
		for _, l := range cfgErr.Lines() {
			fmt.Fprintln(w, l)
		}
		return
	}
	fmt.Fprintf(w, "briefbot %s: %s\n", name, oneLine(err.Error()))
}

func printCommands(w io.Writer) {
	fmt.Fprintln(w, "briefbot turns news articles into key-quote briefings for Slack, Discord and the terminal.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: briefbot COMMAND [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Flags may come before or after a command's arguments; -- ends them.")
	fmt.Fprintln(w, "Run 'briefbot COMMAND --help' for a command's flags.")
}

// newFlagSet returns a flag set whose usage message names the command and its synopsis.
func newFlagSet(env *Env, c command) *flag.FlagSet {
	fs := flag.NewFlagSet("briefbot "+c.Name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: briefbot %s %s\n\n%s\n", c.Name, c.Usage, c.Summary)
		if hasFlags(fs) {
			fmt.Fprintln(env.Stderr, "\nFlags:")
			fs.PrintDefaults()
			if strings.Contains(c.Usage, "...") {
				fmt.Fprintln(env.Stderr, "\nFlags may come before, between or after the arguments. -- ends the flags: what follows are\narguments only, even a name starting with - (briefbot "+c.Name+" -- -x).")
			}
		}
	}
	return fs
}

// parseArgs parses args with fs and returns the positional arguments, in order. Flags may come
// anywhere among them (briefbot ingest ./articles --store x.db): the flag package stops at the
// first positional argument, so it is taken and the rest parsed again, until none is left. "--"
// ends the flags: every argument after it is positional, even one starting with "-".
//
// -h or --help prints fs.Usage and returns flag.ErrHelp. A bad flag (unknown, without its value,
// or a value that does not parse) prints two lines to fs's output, the error and where the usage
// is, and returns errUsage:
//
//	briefbot brief: invalid value "x" for flag -stories: parse error
//	Run 'briefbot brief --help' for usage.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	// The flag package prints the error and the whole usage itself: it is quietened, and the
	// usage shown only when asked for.
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	defer func() {
		fs.Usage = usage
		fs.SetOutput(out)
	}()
	positional := []string{}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out) // the usage lists the flags there
				usage()
				return nil, err
			}
			fmt.Fprintf(out, "%s: %s\nRun '%s --help' for usage.\n", fs.Name(), oneLine(err.Error()), fs.Name())
			return nil, errUsage
		}
		rest := fs.Args()
		if endedFlags(fs, args[:len(args)-len(rest)]) || len(rest) == 0 {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// endedFlags reports whether the arguments fs.Parse consumed end with the "--" that ends the
// flags, rather than with flags alone ("--" may also be the value of a flag: --source --).
func endedFlags(fs *flag.FlagSet, consumed []string) bool {
	for i := 0; i < len(consumed); i++ {
		arg := consumed[i]
		if arg == "--" {
			return true
		}
		name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f) {
			i++ // the flag's value is the next argument
		}
	}
	return false
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
