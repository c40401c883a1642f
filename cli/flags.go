package cli

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// modelFlag registers --model, the model a command summarises with.
func modelFlag(f *pflag.FlagSet, model *string) {
	f.StringVar(model, "model", "", "`MODEL`: builtin, bedrock:<model id>, sagemaker:<endpoint> or openai:<model> (default model in the config, or $TICKETSUM_MODEL, builtin)")
}

// modelBind applies --model to the configuration.
func modelBind(model *string) bind {
	return bind{"model", "model", func(c *Config) { c.Model = *model }}
}

// jsonFlag registers --json.
func jsonFlag(f *pflag.FlagSet, asJSON *bool) {
	f.BoolVar(asJSON, "json", false, "print JSON instead of a table")
}

// actorFlags registers --as on an admin command that records who acted,
// with --actor kept as a deprecated spelling of it.
func actorFlags(cmd *cobra.Command, as *string) {
	f := cmd.Flags()
	f.StringVar(as, "as", "", "`NAME` recorded in the audit trail as the person acting (default: your OS user name)")
	f.StringVar(as, "actor", "", "the same as --as")
	_ = f.MarkDeprecated("actor", "use --as")
}

// actor returns who is acting: --as when given, else the OS user. A name
// given with --as must be printable and at most 100 characters.
func (e *env) actor(cmd *cobra.Command, as string) (string, error) {
	given := cmd.Flags().Changed("as") || cmd.Flags().Changed("actor")
	if !given {
		return e.osUser(), nil
	}
	as = strings.TrimSpace(as)
	switch {
	case as == "":
		return "", usagef("--as: must not be empty")
	case len(as) > 100:
		return "", usagef("--as: at most 100 characters, got %d", len(as))
	}
	if err := printableFlag("--as", as); err != nil {
		return "", err
	}
	return as, nil
}

// printableFlag refuses a flag value with anything but printable text: a
// value recorded and printed later (a name, a note) must not carry escape
// sequences to another operator's terminal.
func printableFlag(flag, v string) error {
	if strings.ContainsFunc(v, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return usagef("%s: must be printable text, got %q", flag, v)
	}
	return nil
}

// plural returns "1 ticket", "2 tickets".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if stem, ok := strings.CutSuffix(noun, "y"); ok && !strings.HasSuffix(stem, "e") {
		return strconv.Itoa(n) + " " + stem + "ies"
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// offIfEmpty turns a data-file flag given as empty (--history "") into
// "off", as the flag's help says, so that it is not taken as the default.
func offIfEmpty(cmd *cobra.Command, name string, value *string) {
	if cmd.Flags().Changed(name) && *value == "" {
		*value = "off"
	}
}

// ticketLimitHint names what raises the size limit on one ticket, for the
// problem of a ticket over it; withFlag says the command has
// --max-ticket-bytes.
func ticketLimitHint(withFlag bool) string {
	if withFlag {
		return "raise the limit with --max-ticket-bytes BYTES, TICKETSUM_MAX_TICKET_BYTES or max_ticket_bytes in the configuration"
	}
	return "raise the limit with max_ticket_bytes in the configuration or TICKETSUM_MAX_TICKET_BYTES"
}
