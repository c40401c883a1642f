package review

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ticketsum/ticketsum"
)

// CSVHeader is the header row of the ratings CSV.
var CSVHeader = []string{"ticket_id", "task_id", "label", "rater", "method", "score", "chosen", "comment", "created_at"}

// WriteCSV writes ratings as CSV with CSVHeader. Text cells that a
// spreadsheet would run as a formula (starting with =, +, -, @) get a
// leading apostrophe, which ReadCSV removes again.
func WriteCSV(w io.Writer, rs []*Rating) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	for _, r := range rs {
		score := ""
		if r.Method != Choice {
			score = strconv.Itoa(r.Score)
		}
		cw.Write([]string{
			defuse(r.TicketID), r.TaskID, r.Label, defuse(r.Rater), string(r.Method), score, r.Chosen,
			defuse(r.Comment), r.CreatedAt.UTC().Format(time.RFC3339),
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write ratings csv: %w", err)
	}
	return nil
}

func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@'\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func undefuse(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@'\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

// RowError is a bad row of an imported CSV.
type RowError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// ImportError is the EINVALID error of an import with bad rows; nothing was
// imported.
type ImportError struct {
	Rows []RowError
}

// Error lists the first bad rows.
func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad rows, nothing imported:", len(e.Rows))
	for i, r := range e.Rows {
		if i == 10 {
			fmt.Fprintf(&b, " ... and %d more", len(e.Rows)-10)
			break
		}
		fmt.Fprintf(&b, " line %d: %s;", r.Line, r.Message)
	}
	return strings.TrimSuffix(b.String(), ";")
}

// MaxImportRows bounds an imported CSV.
const MaxImportRows = 100000

// ImportCSV reads ratings written by WriteCSV (or by hand, in the same
// columns), checks every row against its task and stores them all in one
// transaction. When any row is bad it stores nothing and returns an
// EINVALID error wrapping an *ImportError that lists each bad row by line.
// It returns the number of ratings imported.
func (s *Service) ImportCSV(ctx context.Context, r io.Reader) (int, error) {
	rs, err := s.readCSV(ctx, r)
	if err != nil {
		return 0, err
	}
	if len(rs) == 0 {
		return 0, ticketsum.Errorf(ticketsum.EINVALID, "the CSV has no ratings")
	}
	if err := s.cfg.Store.SaveRatings(ctx, rs); err != nil {
		return 0, fmt.Errorf("import ratings: %w", err)
	}
	return len(rs), nil
}

func (s *Service) readCSV(ctx context.Context, r io.Reader) ([]*Rating, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "the CSV is empty")
	}
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "the CSV cannot be read: %w", err)
	}
	if len(head) > 0 {
		head[0] = strings.TrimPrefix(head[0], "\ufeff")
	}
	if !slices.Equal(head, CSVHeader) {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "line 1: the header must be %s", strings.Join(CSVHeader, ","))
	}
	tasks := map[string]*Task{}
	var out []*Rating
	var bad []RowError
	seen := map[[3]string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// FieldPos is only valid for a record that was returned.
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, ticketsum.Errorf(ticketsum.EINVALID, "the CSV cannot be read: %w", err)
			}
			bad = append(bad, RowError{Line: pe.Line, Message: "not valid CSV: " + pe.Err.Error()})
			if len(bad) > 1000 {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(out)+len(bad) >= MaxImportRows {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "the CSV has more than %d rows", MaxImportRows)
		}
		rt, msg := s.parseRow(ctx, rec, tasks)
		if msg == "" {
			k := [3]string{rt.TaskID, rt.Label, rt.Rater}
			if first, dup := seen[k]; dup {
				msg = fmt.Sprintf("repeats the rating of line %d (same task, label and rater)", first)
			} else {
				seen[k] = line
			}
		}
		if msg != "" {
			bad = append(bad, RowError{Line: line, Message: msg})
			continue
		}
		out = append(out, rt)
	}
	if len(bad) > 0 {
		ie := &ImportError{Rows: bad}
		return nil, &ticketsum.Error{Code: ticketsum.EINVALID, Message: ie.Error(), Err: ie}
	}
	return out, nil
}

// parseRow turns one record into a rating checked against its task, or
// returns what is wrong with it.
func (s *Service) parseRow(ctx context.Context, rec []string, tasks map[string]*Task) (*Rating, string) {
	if len(rec) != len(CSVHeader) {
		return nil, fmt.Sprintf("has %d fields, want %d", len(rec), len(CSVHeader))
	}
	r := &Rating{
		TicketID: undefuse(rec[0]), TaskID: rec[1], Label: rec[2], Rater: strings.TrimSpace(undefuse(rec[3])),
		Method: Method(rec[4]), Chosen: rec[6], Comment: undefuse(rec[7]),
	}
	if !r.Method.Valid() {
		return nil, fmt.Sprintf("method %q is not thumbs, likert or choice", truncate(rec[4], 20))
	}
	if rec[5] != "" {
		n, err := strconv.Atoi(rec[5])
		if err != nil {
			return nil, fmt.Sprintf("score %q is not a whole number", truncate(rec[5], 20))
		}
		r.Score = n
	} else if r.Method != Choice {
		return nil, "score is empty"
	}
	if rec[8] != "" {
		t, err := time.Parse(time.RFC3339, rec[8])
		if err != nil {
			return nil, fmt.Sprintf("created_at %q is not an RFC 3339 time", truncate(rec[8], 40))
		}
		r.CreatedAt = t.UTC()
	} else {
		r.CreatedAt = s.cfg.Clock.Now().UTC()
	}
	t, ok := tasks[r.TaskID]
	if !ok {
		var err error
		t, err = s.cfg.Store.FindTask(ctx, r.TaskID)
		if err != nil && ticketsum.ErrorCodeOf(err) != ticketsum.ENOTFOUND {
			return nil, "task could not be read: " + ticketsum.ClientMessage(err)
		}
		tasks[r.TaskID] = t
	}
	if t == nil {
		return nil, fmt.Sprintf("task %q does not exist", truncate(r.TaskID, 40))
	}
	if err := r.Check(t); err != nil {
		return nil, ticketsum.ClientMessage(err)
	}
	return r, ""
}

// ExportCSV writes the ratings of source's tasks ("" for all) as CSV.
func (s *Service) ExportCSV(ctx context.Context, w io.Writer, source string) error {
	rs, err := s.cfg.Store.ListRatings(ctx, source)
	if err != nil {
		return fmt.Errorf("export ratings: %w", err)
	}
	return WriteCSV(w, rs)
}
