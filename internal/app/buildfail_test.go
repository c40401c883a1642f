package app_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ticketsum/ticketsum"
	"github.com/ticketsum/ticketsum/internal/app"
)

// awsConfig is a complete AWS configuration; no call is made with it.
var awsConfig = aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}

// manualClock is a Clock that moves only when told.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *manualClock) add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// A model whose build fails (no AWS configuration) is not built again on
// every request for it: its error is returned for a few seconds, then the
// build is tried again, so a fixed environment is noticed; a build given up
// by its cancelled caller is not remembered.
func TestFailedBuildIsRememberedBriefly(t *testing.T) {
	t.Parallel()
	const model = "bedrock:amazon.nova-lite-v1:0"
	clock := &manualClock{now: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	loads, fixed := 0, false
	m, err := app.New(app.Config{
		Clock: clock,
		LoadAWS: func(ctx context.Context) (aws.Config, error) {
			mu.Lock()
			defer mu.Unlock()
			loads++
			if err := ctx.Err(); err != nil {
				return aws.Config{}, err
			}
			if !fixed {
				return aws.Config{}, errors.New("no region")
			}
			return awsConfig, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	loadCount := func() int { mu.Lock(); defer mu.Unlock(); return loads }

	_, err1 := m.Gateway(t.Context(), model)
	if ticketsum.ErrorCodeOf(err1) != ticketsum.EINVALID {
		t.Fatalf("first build: %v, want EINVALID naming the AWS configuration", err1)
	}
	for range 5 {
		if _, err := m.Gateway(t.Context(), model); err == nil || err.Error() != err1.Error() {
			t.Fatalf("build within the TTL: %v, want the first error %v", err, err1)
		}
	}
	if n := loadCount(); n != 1 {
		t.Fatalf("AWS configuration loaded %d times within the TTL, want once", n)
	}

	clock.add(4 * time.Second)
	if _, err := m.Gateway(t.Context(), model); err == nil {
		t.Fatal("build 4s later succeeded, want the remembered error")
	}
	if n := loadCount(); n != 1 {
		t.Fatalf("AWS configuration loaded %d times 4s later, want once", n)
	}

	// After the TTL the build is tried again: still failing, then fixed.
	clock.add(2 * time.Second)
	if _, err := m.Gateway(t.Context(), model); err == nil {
		t.Fatal("build after the TTL succeeded before the fix")
	}
	if n := loadCount(); n != 2 {
		t.Fatalf("AWS configuration loaded %d times after the TTL, want twice", n)
	}
	mu.Lock()
	fixed = true
	mu.Unlock()
	clock.add(6 * time.Second)
	g, err := m.Gateway(t.Context(), model)
	if err != nil || g == nil {
		t.Fatalf("build after the fix: %v, %v", g, err)
	}
	if n := loadCount(); n != 3 {
		t.Fatalf("AWS configuration loaded %d times after the fix, want 3", n)
	}

	// A cancelled build is not remembered for others.
	const other = "sagemaker:summariser-endpoint"
	m2, err := app.New(app.Config{Clock: clock, LoadAWS: func(ctx context.Context) (aws.Config, error) {
		mu.Lock()
		loads++
		mu.Unlock()
		if err := ctx.Err(); err != nil {
			return aws.Config{}, err
		}
		return awsConfig, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := m2.Gateway(ctx, other); err == nil {
		t.Fatal("build with a cancelled context succeeded")
	}
	if _, err := m2.Gateway(t.Context(), other); err != nil {
		t.Fatalf("build after a cancelled one: %v, want it built", err)
	}
}
