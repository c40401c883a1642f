package guard

import (
	"log/slog"

	"github.com/ticketsum/ticketsum"
)

// Config configures a Guard. The zero Config is a sensible policy for a
// support desk; see DefaultInputPolicy and DefaultOutputPolicy.
type Config struct {
	// Input is the action per entity type on text sent to a model. Types
	// not listed take the default action of DefaultInputPolicy. Default:
	// ANONYMIZE every type.
	Input map[EntityType]Action
	// Output is the action per entity type on text a model returns. Types
	// not listed take the default action of DefaultOutputPolicy. Default:
	// BLOCK card numbers, CVVs, SSNs, passwords, PINs, AWS secret keys and
	// other credentials; ANONYMIZE the rest.
	Output map[EntityType]Action
	// PhoneRegion is the ISO 3166 region used to validate phone numbers
	// written without a country code. Default: "US".
	PhoneRegion string
	// TollFreePhones treats toll-free numbers (800, 888, 0800...) as personal
	// data. Default: false, since they are business lines that summaries may
	// keep ("call 1-800-555-0199").
	TollFreePhones bool
	// MinScore drops findings whose score is lower. Default: 0.5.
	MinScore float64

	// Topics are the denied topics. Default: none (see DefaultTopics for a
	// ready-made pair: legal and medical advice).
	Topics []Topic

	// Profanity is the action for words of the managed profanity list
	// (github.com/TwiN/go-away). MASK or BLOCK; NONE turns the list off.
	// Default: MASK.
	Profanity Action
	// CustomWords are extra words and phrases (up to three words each)
	// matched exactly after normalisation (case, accents, punctuation).
	// Default: none.
	CustomWords []string
	// CustomWordAction is the action for CustomWords: MASK or BLOCK.
	// Default: BLOCK.
	CustomWordAction Action

	// PromptAttack is the action for instructions hidden in the text:
	// ANONYMIZE neutralises them (quotes the span and defangs delimiters) and
	// lets the request continue; BLOCK stops it; NONE only records them.
	// Default: ANONYMIZE.
	PromptAttack Action

	// TrustedTags are tags the application's own prompt uses to fence data
	// (such as "<ticket>" and "</ticket>"); exactly these are not reported
	// as delimiter spoofing. The prompt must escape them inside ticket text.
	// Default: none.
	TrustedTags []string

	// Remote is an optional external guardrail, such as Bedrock's
	// ApplyGuardrail, applied after the local checks to the already-masked
	// text. Default: none.
	Remote Remote
	// RemoteFailOpen lets a request continue when Remote fails. Default:
	// false (a Remote failure returns an EUNAVAILABLE error).
	RemoteFailOpen bool

	// MaxTextBytes is the longest text checked; longer text is rejected with
	// EINVALID. The check's time grows linearly with the text. Default: 1 MiB.
	MaxTextBytes int
	// LimitHint ends the error for a text over MaxTextBytes: the setting
	// that raises the limit in the application that built the guard, such
	// as "raise it with max_ticket_bytes". Default: none.
	LimitHint string
	// Logger receives one debug line per check (counts and flags, never
	// values). Default: a logger that discards everything.
	Logger *slog.Logger
}

// DefaultInputPolicy returns the default input actions: ANONYMIZE every type,
// so that nothing personal reaches a model while the request still goes on.
func DefaultInputPolicy() map[EntityType]Action {
	m := map[EntityType]Action{}
	for _, t := range AllEntityTypes() {
		m[t] = ActionAnonymize
	}
	return m
}

// DefaultOutputPolicy returns the default output actions: BLOCK what a
// summary must never contain even masked (card numbers and CVVs, SSNs,
// passwords, PINs, AWS secret keys and other credentials), ANONYMIZE
// everything else.
func DefaultOutputPolicy() map[EntityType]Action {
	m := DefaultInputPolicy()
	for _, t := range []EntityType{CardNumber, CardCVV, USSSN, Password, PIN, AWSSecretKey, Credential} {
		m[t] = ActionBlock
	}
	return m
}

// withDefaults fills in defaults and rejects bad values.
func (c Config) withDefaults() (Config, error) {
	merge := func(name string, given, def map[EntityType]Action) (map[EntityType]Action, error) {
		for t, a := range given {
			if !t.Valid() {
				return nil, ticketsum.Errorf(ticketsum.EINVALID, "guard: %s policy names unknown entity type %q", name, t)
			}
			if a != ActionNone && a != ActionAnonymize && a != ActionBlock {
				return nil, ticketsum.Errorf(ticketsum.EINVALID, "guard: %s policy for %s has action %q (want NONE, ANONYMIZE or BLOCK)", name, t, a)
			}
			def[t] = a
		}
		return def, nil
	}
	var err error
	if c.Input, err = merge("input", c.Input, DefaultInputPolicy()); err != nil {
		return c, err
	}
	if c.Output, err = merge("output", c.Output, DefaultOutputPolicy()); err != nil {
		return c, err
	}
	if c.PhoneRegion == "" {
		c.PhoneRegion = "US"
	}
	if len(c.PhoneRegion) != 2 || !isCountry(c.PhoneRegion) {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "guard: phone region %q is not an ISO 3166 two-letter code", c.PhoneRegion)
	}
	if c.MinScore == 0 {
		c.MinScore = 0.5
	}
	if c.MinScore < 0 || c.MinScore > 1 {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "guard: min score %v is outside [0,1]", c.MinScore)
	}
	if c.Profanity == "" {
		c.Profanity = ActionMask
	}
	if c.Profanity != ActionNone && c.Profanity != ActionMask && c.Profanity != ActionBlock {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "guard: profanity action %q (want NONE, MASK or BLOCK)", c.Profanity)
	}
	if c.CustomWordAction == "" {
		c.CustomWordAction = ActionBlock
	}
	if c.CustomWordAction != ActionMask && c.CustomWordAction != ActionBlock && c.CustomWordAction != ActionNone {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "guard: custom word action %q (want NONE, MASK or BLOCK)", c.CustomWordAction)
	}
	if c.PromptAttack == "" {
		c.PromptAttack = ActionAnonymize
	}
	if c.PromptAttack != ActionNone && c.PromptAttack != ActionAnonymize && c.PromptAttack != ActionBlock {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "guard: prompt attack action %q (want NONE, ANONYMIZE or BLOCK)", c.PromptAttack)
	}
	if c.MaxTextBytes == 0 {
		c.MaxTextBytes = 1 << 20
	}
	if c.MaxTextBytes < 0 {
		return c, ticketsum.Errorf(ticketsum.EINVALID, "guard: max text bytes %d is negative", c.MaxTextBytes)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
