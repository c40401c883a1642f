package cli

import (
	"context"
	"sync"
)

// runOrdered processes a stream of items on workers goroutines and hands
// the results to emit one at a time, in input order, on the calling
// goroutine. At most window items (at least workers) are in flight at once, from the moment
// next returns one until emit has returned for it, so memory is bounded by
// window items and results, whatever the length of the input. next reports
// false at the end of the input; an error from next or emit stops the run
// and is returned, as is ctx's error when ctx ends first; no item is read
// after that, and the call returns once the reader and the workers are done
// (a worker finishes the item it holds, with a cancelled context).
func runOrdered[T, R any](ctx context.Context, workers, window int,
	next func() (T, bool, error), work func(context.Context, T) R, emit func(R) error) error {
	workers, window = max(workers, 1), max(window, workers, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type job struct {
		item T
		out  chan R
	}
	// slots holds one token per item in flight; order carries each item's
	// result channel to the emitter in input order.
	slots := make(chan struct{}, window)
	order := make(chan chan R, window)
	jobs := make(chan job)
	var readErr error // written by the reader before it closes order

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.out <- work(ctx, j.item)
			}
		}()
	}
	wg.Add(1)
	go func() { // the reader
		defer wg.Done()
		defer close(order)
		defer close(jobs)
		for {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			if ctx.Err() != nil {
				return // a slot and the end can be ready together
			}
			item, ok, err := next()
			if err != nil || !ok {
				readErr = err
				return
			}
			out := make(chan R, 1) // the worker never waits for the emitter
			select {
			case jobs <- job{item, out}:
			case <-ctx.Done():
				return
			}
			order <- out // never blocks: order has room for every slot
		}
	}()

	err := func() error {
		for out := range order {
			if err := ctx.Err(); err != nil {
				return err
			}
			var r R
			select {
			case r = <-out:
			case <-ctx.Done():
				return ctx.Err()
			}
			if err := emit(r); err != nil {
				return err
			}
			<-slots
		}
		if readErr != nil {
			return readErr
		}
		return ctx.Err()
	}()
	cancel() // the reader and workers stop taking items
	wg.Wait()
	return err
}
