package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ticketsum/ticketsum/eval"
)

// progressEvery is how often progress is printed as plain lines when
// stderr is not a terminal (a file, a pipe, a CI log).
const progressEvery = 10 * time.Second

// isTerminal reports whether f is a terminal (a character device), where a
// progress bar can be redrawn in place with \r and a command waiting for
// input without saying so looks hung.
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	st, err := file.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// evalProgress returns eval's progress callback: a bar redrawn in place on
// a terminal, else a plain line every progressEvery and one at the end.
func (e *env) evalProgress() func(eval.Progress) {
	if isTerminal(e.stderr) {
		return eval.ProgressPrinter(e.stderr)
	}
	lines := newLinePrinter(e.stderr, time.Now)
	return func(p eval.Progress) {
		lines.print(fmt.Sprintf("eval: %s", p), p.Done == p.Total)
	}
}

// linePrinter prints progress as whole lines, at most one every
// progressEvery, plus the last one.
type linePrinter struct {
	w    io.Writer
	now  func() time.Time
	last time.Time
}

func newLinePrinter(w io.Writer, now func() time.Time) *linePrinter {
	return &linePrinter{w: w, now: now, last: now()}
}

func (l *linePrinter) print(line string, final bool) {
	t := l.now()
	if !final && t.Sub(l.last) < progressEvery {
		return
	}
	l.last = t
	fmt.Fprintln(l.w, line)
}
