package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"golang.org/x/term"

	"github.com/briefbot/briefbot/internal/demo"
)

func demoCommand() command {
	return command{
		Name:    "demo",
		Usage:   "[--dir DIR] [--commands FILE]",
		Summary: "brief nine built-in sample articles on the terminal and answer /brief (no setup needed)",
		Run:     runDemo,
	}
}

func runDemo(ctx context.Context, env *Env, args []string) error {
	c := demoCommand()
	fs := newFlagSet(env, c)
	dir := fs.String("dir", "", "keep the demo's database and article files in `DIR` (default: a temporary folder, removed at the end)")
	commands := fs.String("commands", "", "answer the /brief commands in `FILE` (one a line; - for standard input) instead of prompting, then end")
	extra, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		fs.Usage()
		return errUsage
	}
	return runDemoWith(ctx, env, *dir, *commands)
}

// runDemoWith runs the demo on env's terminal. With a commands file ("-": stdin) it answers the
// commands in it; else, when stdin is a terminal, it prompts for commands there; else it ends
// once the briefings are shown. Warnings go to stderr.
func runDemoWith(ctx context.Context, env *Env, dir, commands string) error {
	opts := demo.Options{
		Stdin:       env.Stdin,
		Stdout:      env.Stdout,
		Interactive: env.StdinIsTerminal,
		Dir:         dir,
		Logger:      slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Width:       terminalWidth(env),
	}
	switch commands {
	case "":
	case "-":
		opts.Commands = env.Stdin
	default:
		f, err := os.Open(commands)
		if err != nil {
			return fmt.Errorf("commands: %w", err)
		}
		defer f.Close()
		opts.Commands = f
	}
	return demo.Run(ctx, opts)
}

// terminalWidth is the width of the terminal stdout writes to, 0 when it is not one (or
// narrower than a readable layout: the renderer's default then applies).
func terminalWidth(env *Env) int {
	f, ok := env.Stdout.(*os.File)
	if !ok || !env.StdoutIsTerminal {
		return 0
	}
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil || w < 40 {
		return 0
	}
	return min(w, 120)
}
