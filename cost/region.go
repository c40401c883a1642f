package cost

import (
	"strings"
)

// DefaultRegion is the region an entry's prices are for when it names none,
// and the region calls are billed in when Config.Region is empty.
const DefaultRegion = "us-east-1"

// RegionalPrice is a model's price in another region than the entry's own.
// Bedrock bills a call at the prices of the region the request is made in
// (the source region), cross-region inference profiles included.
type RegionalPrice struct {
	Region     string   `yaml:"region" json:"region"`
	Input      float64  `yaml:"input" json:"input_usd_per_mtok"`
	Output     float64  `yaml:"output" json:"output_usd_per_mtok"`
	CacheRead  *float64 `yaml:"cache_read,omitempty" json:"cache_read_usd_per_mtok,omitempty"`
	CacheWrite *float64 `yaml:"cache_write,omitempty" json:"cache_write_usd_per_mtok,omitempty"`
	Effective  string   `yaml:"effective" json:"effective"`
	Source     string   `yaml:"source" json:"source"`
	Confidence string   `yaml:"confidence,omitempty" json:"confidence,omitempty"`
	Verified   bool     `yaml:"verified" json:"verified"`
}

func (r *RegionalPrice) validate() error {
	switch {
	case r.Region == "":
		return errorf("regional price has no region")
	case r.Input < 0 || r.Output < 0 || r.CacheRead != nil && *r.CacheRead < 0 || r.CacheWrite != nil && *r.CacheWrite < 0:
		return errorf("regional price for %s is negative", r.Region)
	case r.Effective == "" || r.Source == "":
		return errorf("regional price for %s needs an effective date and a source", r.Region)
	}
	return nil
}

// arnRegion returns the region of a Bedrock ARN in a model name, or "".
func arnRegion(name string) string {
	_, id, _ := strings.Cut(name, "bedrock:")
	if id == "" {
		id = name
	}
	if !strings.HasPrefix(id, "arn:") {
		return ""
	}
	parts := strings.SplitN(id, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[3]
}

// inRegion returns e priced for a call billed in region: the regional price
// when the entry has one, else its own price, with BilledRegion telling the
// difference (see RegionNote).
func (e Entry) inRegion(region string) Entry {
	e.BilledRegion = region
	for _, r := range e.Regional {
		if r.Region != region {
			continue
		}
		e.Region, e.Input, e.Output = r.Region, r.Input, r.Output
		if r.CacheRead != nil {
			e.CacheRead = r.CacheRead
		}
		if r.CacheWrite != nil {
			e.CacheWrite = r.CacheWrite
		}
		e.Effective, e.Source, e.Confidence, e.Verified = r.Effective, r.Source, r.Confidence, r.Verified
		break
	}
	return e
}

// RegionNote says when the prices of a looked-up entry are not those of the
// region the call is billed in, or "".
func (e *Entry) RegionNote() string {
	if e.BilledRegion == "" || e.BilledRegion == e.Region {
		return ""
	}
	return "priced at " + e.Region + " prices: the catalogue has no " + e.BilledRegion +
		" price for " + e.Name + " (add one under regional: in a catalogue override file)"
}
