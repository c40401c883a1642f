package main

import (
	"context"
	"fmt"
)

// runInstallTrigger handles `ticketsum install-trigger [--uninstall]`.
func runInstallTrigger(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "install-trigger", "")
	var cf commonFlags
	cf.register(fs)
	uninstall := fs.Bool("uninstall", false, "drop the trigger and its function instead")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("takes no arguments")
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	w, err := newWiring(ctx, e, cfg)
	if err != nil {
		return err
	}
	defer w.Close()
	sb, err := w.openSource(ctx, true)
	if err != nil {
		return err
	}
	if *uninstall {
		if err := sb.src.UninstallTrigger(ctx); err != nil {
			return err
		}
		fmt.Fprintln(e.stderr, "install-trigger: trigger removed; watch falls back to polling")
		return nil
	}
	if err := sb.src.InstallTrigger(ctx); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "install-trigger: trigger installed; a running watch wakes on every change")
	return nil
}
