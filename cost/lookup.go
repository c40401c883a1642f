package cost

import (
	"strings"

	ticketsum "github.com/ticketsum/ticketsum"
)

// isProfilePrefix reports whether p is a cross-region inference profile
// prefix of Bedrock model IDs.
func isProfilePrefix(p string) bool {
	switch p {
	case "us", "us-gov", "eu", "apac", "jp", "au", "ca", "global":
		return true
	}
	return false
}

// Lookup returns the entry that prices the named model. It accepts
//
//   - catalogue names and aliases: "bedrock:anthropic.claude-3-5-haiku-20241022-v1:0";
//   - cross-region inference profiles: "bedrock:us.amazon.nova-pro-v1:0",
//     "bedrock:global.anthropic.claude-sonnet-4-5-20250929-v1:0";
//   - Bedrock ARNs of foundation models and system inference profiles:
//     "bedrock:arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0";
//   - Bedrock IDs without the "bedrock:" prefix;
//   - any "openai:<model>" or "sagemaker:<endpoint>" through the generic
//     "openai:*" and "sagemaker:*" entries unless the model has its own.
//
// A Bedrock entry is priced for the region the call is billed in (the
// ARN's region, else Config.Region: see RegionNote when the catalogue has
// no price for it), at today's lifecycle price (a legacy model in public
// extended access costs its extended price), and for models whose global
// profile is cheaper, at the regional profiles' uplift. The returned entry
// carries the profile prefix in Profile and the guardrail prices. It
// returns ENOTFOUND with what to do for a name it cannot price, such as an
// application inference profile ARN without an alias.
func (c *Catalogue) Lookup(name string) (Entry, error) {
	name = strings.TrimSpace(name)
	e, profile, err := c.find(name)
	if err != nil {
		return Entry{}, err
	}
	if strings.HasPrefix(e.Name, "bedrock:") {
		region := arnRegion(name)
		if region == "" {
			region = c.cfg.Region
		}
		e = e.inRegion(region)
		if e.RegionalUplift > 0 && profile != "global" {
			e = e.uplifted(e.RegionalUplift)
		}
		e = e.atDate(c.cfg.Clock.Now())
	}
	e.Profile = profile
	e.Guardrail = c.guardrail
	return e, nil
}

// find returns the entry of a name and the profile prefix it carried.
func (c *Catalogue) find(name string) (Entry, string, error) {
	if e, ok := c.exact(name); ok {
		return e, "", nil
	}
	provider, id, _ := strings.Cut(name, ":")
	switch provider {
	case "bedrock", "openai", "sagemaker", "builtin":
	default:
		provider, id = "bedrock", name
	}
	switch provider {
	case "bedrock":
		return c.lookupBedrock(name, id)
	case "openai", "sagemaker", "builtin":
		if e, ok := c.exact(provider + ":*"); ok {
			return e, "", nil
		}
	}
	return Entry{}, "", notFound(name)
}

func (c *Catalogue) exact(name string) (Entry, bool) {
	i, ok := c.byName[name]
	if !ok {
		return Entry{}, false
	}
	return c.entries[i], true
}

func (c *Catalogue) lookupBedrock(name, id string) (Entry, string, error) {
	if strings.HasPrefix(id, "arn:") {
		parts := strings.SplitN(id, ":", 6)
		if len(parts) < 6 {
			return Entry{}, "", ticketsum.Errorf(ticketsum.EINVALID, "model %q is not a valid ARN", name)
		}
		kind, rest, _ := strings.Cut(parts[5], "/")
		switch kind {
		case "foundation-model", "inference-profile":
			id = rest
		default:
			return Entry{}, "", ticketsum.Errorf(ticketsum.ENOTFOUND,
				"model %q is a %s ARN, which does not name its base model: add it as an alias of the base model's entry in a catalogue override file", name, kind)
		}
	}
	if e, ok := c.exact("bedrock:" + id); ok {
		return e, "", nil
	}
	if prefix, base, ok := strings.Cut(id, "."); ok && isProfilePrefix(prefix) {
		if e, ok := c.exact("bedrock:" + base); ok {
			return e, prefix, nil
		}
	}
	return Entry{}, "", notFound(name)
}

func notFound(name string) error {
	return ticketsum.Errorf(ticketsum.ENOTFOUND,
		"model %q is not in the catalogue: check the name (`ticketsum models` lists them) or add an entry with its prices in a catalogue override file", name)
}
