package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var errInjected = errors.New("injected write failure")

// failingFile fails its next Write after writing the first failAfter
// bytes of it (when failAfter >= 0), its next Sync with syncErr, and every
// Truncate with truncErr.
type failingFile struct {
	logFile
	failAfter int
	syncErr   error
	truncErr  error
}

func (f *failingFile) Sync() error {
	if err := f.syncErr; err != nil {
		f.syncErr = nil
		return err
	}
	return f.logFile.Sync()
}

func (f *failingFile) Write(p []byte) (int, error) {
	if f.failAfter < 0 {
		return f.logFile.Write(p)
	}
	n, err := f.logFile.Write(p[:min(f.failAfter, len(p))])
	f.failAfter = -1
	if err == nil {
		err = errInjected
	}
	return n, err
}

func (f *failingFile) Truncate(size int64) error {
	if f.truncErr != nil {
		return f.truncErr
	}
	return f.logFile.Truncate(size)
}

// readIDs reads every record of the log in dir and returns their request
// ids in order, or the error that stopped the read.
func readIDs(t *testing.T, dir string, w KeyWrapper) ([]string, error) {
	t.Helper()
	r, err := NewReader(DirSource{Dir: dir}, w)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	err = r.Read(context.Background(), Filter{}, func(rec *InvocationRecord) error {
		ids = append(ids, rec.RequestID)
		return nil
	})
	return ids, err
}

// readFileIDs reads the log file name of dir on its own (as a directory
// holding only it) and returns its records' request ids, or the error that
// stopped the read.
func readFileIDs(t *testing.T, dir, name string, w KeyWrapper) ([]string, error) {
	t.Helper()
	alone := t.TempDir()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(alone, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
	return readIDs(t, alone, w)
}

// TestFileSinkWriteFailureKeepsTheFileVerifiable injects a failed write
// (nothing written, or part of the line) and checks that the records
// written after it still read and verify, and that the failed one is not
// there: a failed write used to use up its record index, so that the rest
// of the file read as "removed or reordered".
func TestFileSinkWriteFailureKeepsTheFileVerifiable(t *testing.T) {
	for _, tc := range []struct {
		name      string
		failAfter int
		truncErr  error
		files     int
	}{
		{"nothing written", 0, nil, 1},
		{"part written and cut off", 17, nil, 1},
		{"part written that cannot be cut off", 17, errors.New("injected truncate failure"), 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w, err := NewLocalKeyWrapper(filepath.Join(t.TempDir(), "log.key"))
			if err != nil {
				t.Fatal(err)
			}
			sink, err := NewFileSink(FileSinkConfig{Dir: dir, Wrapper: w})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			write := func(id string) error {
				return sink.Write(ctx, &InvocationRecord{RequestID: id, Outcome: "success"})
			}
			for i := range 2 {
				if err := write("r" + strconv.Itoa(i)); err != nil {
					t.Fatal(err)
				}
			}
			names, _ := DirSource{Dir: dir}.List(ctx)
			first := names[0]
			sink.mu.Lock()
			sink.f = &failingFile{logFile: sink.f, failAfter: tc.failAfter, truncErr: tc.truncErr}
			sink.mu.Unlock()
			if err := write("lost"); !errors.Is(err, errInjected) {
				t.Fatalf("write with a failing file: %v, want the injected failure", err)
			}
			for i := 2; i < 5; i++ {
				if err := write("r" + strconv.Itoa(i)); err != nil {
					t.Fatal(err)
				}
			}
			if err := sink.Close(ctx); err != nil {
				t.Fatal(err)
			}
			names, _ = DirSource{Dir: dir}.List(ctx)
			if len(names) != tc.files {
				t.Fatalf("%d files %v, want %d", len(names), names, tc.files)
			}
			if tc.files == 1 {
				ids, err := readIDs(t, dir, w)
				if err != nil || strings.Join(ids, ",") != "r0,r1,r2,r3,r4" {
					t.Fatalf("read %v (%v), want r0-r4 without the failed record", ids, err)
				}
				return
			}
			// The file whose partial line stayed ends damaged where the
			// failure was; the records after it are in a new file that
			// verifies on its own.
			for _, name := range names {
				ids, err := readFileIDs(t, dir, name, w)
				switch got := strings.Join(ids, ","); {
				case name == first:
					if err == nil || !strings.Contains(err.Error(), "line 4") || got != "r0,r1" {
						t.Errorf("first file read %v (%v), want r0,r1 then damage at line 4", ids, err)
					}
				case err != nil || got != "r2,r3,r4":
					t.Errorf("second file read %v (%v), want r2,r3,r4", ids, err)
				}
			}
		})
	}
}

// TestFileSinkSyncFailureLeavesNoCopy: with Sync, a record written whole
// whose sync failed is reported unwritten (the caller spools it), so it
// must not stay in the file too, where the reader would find it a second
// time once the spool writes it again. When it cannot be cut off, it stays
// whole and the file is given up, as for a partial line.
func TestFileSinkSyncFailureLeavesNoCopy(t *testing.T) {
	errSync := errors.New("injected sync failure")
	for _, tc := range []struct {
		name     string
		truncErr error
		want     []string // the ids of each file, sorted (files opened in one second list in any order)
	}{
		{"cut off", nil, []string{"r0,r1,r2,r3"}},
		{"cannot be cut off", errors.New("injected truncate failure"), []string{"r0,r1,lost", "r2,r3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w, err := NewLocalKeyWrapper(filepath.Join(t.TempDir(), "log.key"))
			if err != nil {
				t.Fatal(err)
			}
			sink, err := NewFileSink(FileSinkConfig{Dir: dir, Wrapper: w, Sync: true})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			write := func(id string) error {
				return sink.Write(ctx, &InvocationRecord{RequestID: id, Outcome: "success"})
			}
			for _, id := range []string{"r0", "r1"} {
				if err := write(id); err != nil {
					t.Fatal(err)
				}
			}
			sink.mu.Lock()
			sink.f = &failingFile{logFile: sink.f, failAfter: -1, syncErr: errSync, truncErr: tc.truncErr}
			sink.mu.Unlock()
			if err := write("lost"); !errors.Is(err, errSync) {
				t.Fatalf("write whose sync fails: %v, want the injected failure", err)
			}
			for _, id := range []string{"r2", "r3"} {
				if err := write(id); err != nil {
					t.Fatal(err)
				}
			}
			if err := sink.Close(ctx); err != nil {
				t.Fatal(err)
			}
			names, _ := DirSource{Dir: dir}.List(ctx)
			if len(names) != len(tc.want) {
				t.Fatalf("%d files %v, want %d", len(names), names, len(tc.want))
			}
			var got []string
			for _, name := range names {
				ids, err := readFileIDs(t, dir, name, w)
				if err != nil {
					t.Errorf("file %s: %v", name, err)
				}
				got = append(got, strings.Join(ids, ","))
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("files read %q, want %q", got, tc.want)
			}
		})
	}
}
