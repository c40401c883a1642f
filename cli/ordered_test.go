package cli

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
)

// counter returns a next function over 0..n-1 that counts the items
// handed out into read.
func counter(n int, read *atomic.Int64) func() (int, bool, error) {
	i := 0
	return func() (int, bool, error) {
		if i == n {
			return 0, false, nil
		}
		i++
		read.Add(1)
		return i - 1, true, nil
	}
}

// TestRunOrderedKeepsOrderAndBound runs items whose work takes uneven
// turns and an emitter that is slower than the reader, and checks that the
// results come out in input order and that the items read but not yet
// emitted never exceed the window: memory is bounded by the window, not
// by the input's length.
func TestRunOrderedKeepsOrderAndBound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ workers, window, n int }{{1, 1, 50}, {4, 4, 500}, {4, 16, 2000}, {8, 3, 300}} {
		var read atomic.Int64
		emitted, maxInFlight := int64(0), int64(0)
		var got []int
		err := runOrdered(context.Background(), tc.workers, tc.window, counter(tc.n, &read),
			func(_ context.Context, i int) int {
				for range rand.IntN(3) {
					runtime.Gosched() // finish out of order
				}
				return i * 10
			},
			func(r int) error {
				// Items read minus items emitted, counted before this one
				// is done: every item in flight now is held in memory.
				maxInFlight = max(maxInFlight, read.Load()-emitted)
				emitted++
				got = append(got, r)
				runtime.Gosched() // a slow writer lets the reader run ahead
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.n {
			t.Fatalf("%+v: %d results, want %d", tc, len(got), tc.n)
		}
		for i, r := range got {
			if r != i*10 {
				t.Fatalf("%+v: result %d is %d, want %d (out of order)", tc, i, r, i*10)
			}
		}
		if bound := int64(max(tc.window, tc.workers)); maxInFlight > bound || maxInFlight < 1 {
			t.Errorf("%+v: %d items in flight at most, want 1 to %d", tc, maxInFlight, bound)
		}
	}
}

// TestRunOrderedBoundWithBlockedEmitter holds the emitter on its first
// result and checks that the reader stops after window items instead of
// reading the whole input.
func TestRunOrderedBoundWithBlockedEmitter(t *testing.T) {
	t.Parallel()
	var read atomic.Int64
	release := make(chan struct{})
	worked := make(chan struct{}, 1000)
	first := true
	err := runOrdered(context.Background(), 4, 8, counter(1000, &read),
		func(_ context.Context, i int) int { worked <- struct{}{}; return i },
		func(int) error {
			if first {
				first = false
				// Wait until 8 items have been worked on; the reader can
				// take no more while this one is not emitted.
				for range 8 {
					<-worked
				}
				for range 100 {
					runtime.Gosched()
				}
				if n := read.Load(); n != 8 {
					t.Errorf("%d items read while the first waits to be emitted, want 8 (the window)", n)
				}
				close(release)
			}
			<-release
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if n := read.Load(); n != 1000 {
		t.Errorf("read %d items, want 1000", n)
	}
}

// TestRunOrderedStops checks that an emit error and a cancelled context
// end the run with that error and that no item is read afterwards.
func TestRunOrderedStops(t *testing.T) {
	t.Parallel()
	boom := errors.New("stdout closed")
	var read atomic.Int64
	emitted := 0
	err := runOrdered(context.Background(), 3, 6, counter(1000, &read),
		func(_ context.Context, i int) int { return i },
		func(r int) error {
			emitted++
			if r == 10 {
				return boom
			}
			return nil
		})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if n := read.Load(); n > 10+6+1 {
		t.Errorf("read %d items after the emitter failed on item 10, want at most %d", n, 10+6+1)
	}
	if emitted != 11 {
		t.Errorf("emitted %d, want 11", emitted)
	}

	ctx, cancel := context.WithCancel(context.Background())
	read.Store(0)
	err = runOrdered(ctx, 2, 4, counter(1000, &read),
		func(_ context.Context, i int) int { return i },
		func(r int) error {
			if r == 5 {
				cancel()
			}
			return nil
		})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := read.Load(); n > 5+4+1 {
		t.Errorf("read %d items after cancel at item 5, want at most %d", n, 5+4+1)
	}

	// A read error ends the run after the items before it.
	bad := errors.New("bad input")
	i, out := 0, 0
	err = runOrdered(context.Background(), 2, 4, func() (int, bool, error) {
		i++
		if i == 7 {
			return 0, false, bad
		}
		return i, true, nil
	}, func(_ context.Context, i int) int { return i }, func(int) error { out++; return nil })
	if !errors.Is(err, bad) || out != 6 {
		t.Errorf("err = %v after %d results, want %v after 6", err, out, bad)
	}
}
