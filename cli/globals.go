package cli

import (
	"os"
	"os/user"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Names of the global flags, defined once on the root as persistent flags.
const (
	gConfig   = "config"
	gDataDir  = "data-dir"
	gDB       = "db"
	gLogLevel = "log-level"
)

// allGlobals lists the global flags; most commands use every one.
var allGlobals = []string{gConfig, gDataDir, gDB, gLogLevel}

// globalFlags holds the values of the global flags.
type globalFlags struct {
	config, dataDir, db, logLevel string
}

func (g *globalFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&g.config, gConfig, "", "config `FILE` (default ./ticketsum.yaml when it exists, or $TICKETSUM_CONFIG)")
	fs.StringVar(&g.dataDir, gDataDir, "", "`DIR` holding the store, keys, logs, eval cache and history, and exports (default ./ticketsum-data, or $TICKETSUM_DATA_DIR, or data_dir in the config)")
	fs.StringVar(&g.db, gDB, "", "store: a SQLite `FILE` or a postgres:// URL (default ticketsum.db in the data directory, or $TICKETSUM_DB, or db in the config)")
	fs.StringVar(&g.logLevel, gLogLevel, "", "`LEVEL` of the logs on stderr: debug, info, warn or error (default info, or $TICKETSUM_LOG_LEVEL, or log_level in the config)")
}

// annotationGlobals is the annotation listing the global flags a command
// uses.
const annotationGlobals = "ticketsum-globals"

// usesGlobals records which global flags cmd uses: only those are shown in
// its help and accepted on its command line.
func usesGlobals(cmd *cobra.Command, names ...string) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[annotationGlobals] = strings.Join(names, ",")
}

func usedGlobals(cmd *cobra.Command) map[string]bool {
	used := map[string]bool{}
	for _, n := range strings.Split(cmd.Annotations[annotationGlobals], ",") {
		used[n] = true
	}
	return used
}

// checkGlobals refuses a global flag given to a command that does not use
// it, rather than ignoring it silently.
func (e *env) checkGlobals(c *cobra.Command, _ []string) error {
	used := usedGlobals(c)
	for _, name := range allGlobals {
		if f := c.Flags().Lookup(name); f != nil && f.Changed && !used[name] {
			return usagef("--%s is not used by %s", name, c.CommandPath())
		}
	}
	return nil
}

// showOnlyUsedGlobals makes the help and usage of every command show only
// the global flags it uses.
func showOnlyUsedGlobals(root *cobra.Command) {
	help, usage := root.HelpFunc(), root.UsageFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		defer hideUnusedGlobals(c)()
		help(c, args)
	})
	root.SetUsageFunc(func(c *cobra.Command) error {
		defer hideUnusedGlobals(c)()
		return usage(c)
	})
}

// hideUnusedGlobals hides the global flags c does not use, until the
// returned function is called. The flags are this tree's own, so nothing
// outside one run is touched.
func hideUnusedGlobals(c *cobra.Command) (restore func()) {
	used := usedGlobals(c)
	var hidden []*pflag.Flag
	for _, name := range allGlobals {
		f := c.Root().PersistentFlags().Lookup(name)
		if f != nil && !used[name] && !f.Hidden {
			f.Hidden = true
			hidden = append(hidden, f)
		}
	}
	return func() {
		for _, f := range hidden {
			f.Hidden = false
		}
	}
}

// osUserName names the person running the command: the OS account, else
// $USER, else the numeric user id.
func osUserName(getenv func(string) string) string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := getenv("USER"); u != "" {
		return u
	}
	return "uid:" + strconv.Itoa(os.Getuid())
}
