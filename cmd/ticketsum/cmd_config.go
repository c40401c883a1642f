package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
)

//go:embed config_example.yaml
var exampleConfig []byte

// runConfig handles `ticketsum config init [--out FILE] [--force]`.
func runConfig(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "init" {
		return usagef("want 'config init' (writes a commented example config)")
	}
	fs := newFlagSet(e, "config init", "")
	out := fs.String("out", "ticketsum.yaml", "file to write; - for stdout")
	force := fs.Bool("force", false, "overwrite an existing file")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *out == "-" {
		_, err := e.stdout.Write(exampleConfig)
		return err
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if *force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(*out, flags, 0o644)
	if errors.Is(err, os.ErrExist) {
		return usagef("%s already exists; use --force to overwrite it", *out)
	}
	if err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if _, err := f.Write(exampleConfig); err != nil {
		f.Close()
		return fmt.Errorf("write config %s: %w", *out, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write config %s: %w", *out, err)
	}
	fmt.Fprintf(e.stderr, "wrote %s\n", *out)
	return nil
}
