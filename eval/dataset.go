package eval

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/ticketfile"
)

// Dataset is a fixed set of tickets to evaluate on, with optional reference
// summaries (Ticket.References) and labelled statuses
// (Ticket.ExpectedStatus).
type Dataset struct {
	// Name identifies the dataset in reports, usually its file name.
	Name string `json:"name"`
	// Hash identifies the exact content; see DatasetHash.
	Hash string `json:"hash"`
	// Tickets are the items, in file order.
	Tickets []*ticketsum.Ticket `json:"-"`
	// Skipped lists the records that could not be read, one line each.
	Skipped []string `json:"skipped,omitempty"`
	// Labels are the development-set labels by ticket id (facts.go); nil
	// for a file without them.
	Labels map[string]*Labels `json:"-"`
}

// NewDataset returns a dataset of tickets with its hash computed.
func NewDataset(name string, tickets []*ticketsum.Ticket) *Dataset {
	return &Dataset{Name: name, Hash: DatasetHash(tickets), Tickets: tickets}
}

// DatasetHash returns a hash of the tickets' ids, content hashes, references
// and labelled statuses, in order: two runs with the same hash ran on the
// same data.
func DatasetHash(tickets []*ticketsum.Ticket) string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	}
	for _, t := range tickets {
		field(t.ID)
		field(t.ContentHash())
		field(strconv.Itoa(len(t.References)))
		for _, r := range t.References {
			field(r)
		}
		field(string(t.ExpectedStatus))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// DatasetOptions are how a dataset is read.
type DatasetOptions struct {
	// Limit > 0 keeps the first Limit tickets.
	Limit int
	// Tickets are the decoder's options: the largest record accepted
	// (default ticketfile.DefaultMaxTicketBytes, 1 MiB; a larger one is
	// skipped) and the hint that names what raises it.
	Tickets ticketfile.Options
}

// ReadDataset reads tickets in any format the ticketfile package accepts
// (ticket JSON, JSON array, JSONL, or the dialog format of the evaluation
// datasets). Bad records are skipped and listed in Skipped; limit > 0 keeps
// the first limit tickets. It returns EINVALID when the input cannot be read
// or holds no ticket.
func ReadDataset(r io.Reader, name string, limit int) (*Dataset, error) {
	return ReadDatasetWith(r, name, DatasetOptions{Limit: limit})
}

// ReadDatasetWith is ReadDataset with the options o.
func ReadDatasetWith(r io.Reader, name string, o DatasetOptions) (*Dataset, error) {
	d := ticketfile.NewDecoder(r, name, o.Tickets)
	var (
		tickets []*ticketsum.Ticket
		skipped []string
	)
	for o.Limit <= 0 || len(tickets) < o.Limit {
		t, err := d.Next()
		if err == io.EOF {
			break
		}
		var p *ticketfile.Problem
		if errors.As(err, &p) {
			skipped = append(skipped, p.Error())
			continue
		}
		if err != nil {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "read dataset %s: %w", name, err)
		}
		tickets = append(tickets, t)
	}
	if len(tickets) == 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "dataset %s holds no readable ticket (%d records skipped)", name, len(skipped))
	}
	ds := NewDataset(name, tickets)
	ds.Skipped = skipped
	return ds, nil
}

// LoadDataset reads a dataset file; see ReadDataset.
func LoadDataset(path string, limit int) (*Dataset, error) {
	return LoadDatasetWith(path, DatasetOptions{Limit: limit})
}

// LoadDatasetWith is LoadDataset with the options o.
func LoadDatasetWith(path string, o DatasetOptions) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "open dataset: %w", err)
	}
	defer f.Close()
	ds, err := ReadDatasetWith(f, filepath.Base(path), o)
	if err != nil {
		return nil, fmt.Errorf("load dataset %s: %w", path, err)
	}
	if ds.Labels, err = loadLabels(path); err != nil {
		return nil, fmt.Errorf("load dataset %s: %w", path, err)
	}
	return ds, nil
}
