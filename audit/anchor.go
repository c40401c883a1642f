package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ticketsum/ticketsum"
)

// Anchor keeps a copy of every digest outside the trail's database, so that
// an attacker who can rewrite the whole database (delete the tail with its
// digests, or everything) is still caught: Verify compares the trail with
// the anchor. Make the copies immutable (S3 Object Lock, docs/governance.md).
type Anchor interface {
	// Put stores d under its number N; storing the same digest again is
	// harmless.
	Put(ctx context.Context, d *Digest) error
	// LastN returns the highest digest number stored, 0 when none.
	LastN(ctx context.Context) (int64, error)
	// Digests returns every stored digest in number order.
	Digests(ctx context.Context) ([]*Digest, error)
}

// S3AnchorConfig configures an S3Anchor.
type S3AnchorConfig struct {
	// Client is the S3 client: the invocation log's (S3SinkConfig.Client).
	// Required.
	Client S3API
	// Bucket holds the digests: the invocation log's bucket, with Object
	// Lock on. Required.
	Bucket string
	// Prefix starts every object key. Default "audit-digests/".
	Prefix string
}

// S3Anchor writes each digest as the JSON object <prefix><N, 12 digits>.json.
// The digests are signed and hold hashes only (no ticket data), so they are
// stored unencrypted.
type S3Anchor struct{ cfg S3AnchorConfig }

var _ Anchor = (*S3Anchor)(nil)

// NewS3Anchor returns an S3Anchor, or EINVALID for a bad config.
func NewS3Anchor(cfg S3AnchorConfig) (*S3Anchor, error) {
	switch {
	case cfg.Client == nil:
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "S3 anchor: Client is required")
	case cfg.Bucket == "":
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "S3 anchor: Bucket is required")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "audit-digests/"
	}
	if !strings.HasSuffix(cfg.Prefix, "/") {
		cfg.Prefix += "/"
	}
	return &S3Anchor{cfg: cfg}, nil
}

func (a *S3Anchor) key(n int64) string { return fmt.Sprintf("%s%012d.json", a.cfg.Prefix, n) }

// Put implements Anchor.
func (a *S3Anchor) Put(ctx context.Context, d *Digest) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	_, err = a.cfg.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(a.cfg.Bucket), Key: aws.String(a.key(d.N)),
		Body: bytes.NewReader(b), ContentType: aws.String("application/json")})
	if err != nil {
		return ticketsum.Errorf(ticketsum.EUNAVAILABLE, "write audit digest %d to s3://%s/%s: %w", d.N, a.cfg.Bucket, a.key(d.N), err)
	}
	return nil
}

// numbers lists the digest numbers stored.
func (a *S3Anchor) numbers(ctx context.Context) ([]int64, error) {
	var out []int64
	p := s3.NewListObjectsV2Paginator(a.cfg.Client, &s3.ListObjectsV2Input{Bucket: aws.String(a.cfg.Bucket), Prefix: aws.String(a.cfg.Prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "list audit digests in s3://%s/%s: %w", a.cfg.Bucket, a.cfg.Prefix, err)
		}
		for _, o := range page.Contents {
			name := strings.TrimSuffix(path.Base(aws.ToString(o.Key)), ".json")
			if n, err := strconv.ParseInt(name, 10, 64); err == nil && n > 0 {
				out = append(out, n)
			}
		}
	}
	return out, nil
}

// LastN implements Anchor.
func (a *S3Anchor) LastN(ctx context.Context) (int64, error) {
	ns, err := a.numbers(ctx)
	if err != nil {
		return 0, err
	}
	var last int64
	for _, n := range ns {
		last = max(last, n)
	}
	return last, nil
}

// Digests implements Anchor.
func (a *S3Anchor) Digests(ctx context.Context) ([]*Digest, error) {
	ns, err := a.numbers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Digest, 0, len(ns))
	for _, n := range ns {
		obj, err := a.cfg.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(a.cfg.Bucket), Key: aws.String(a.key(n))})
		if err != nil {
			return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "read audit digest %d from s3://%s: %w", n, a.cfg.Bucket, err)
		}
		b, err := io.ReadAll(io.LimitReader(obj.Body, 1<<20))
		obj.Body.Close()
		if err != nil {
			return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "read audit digest %d from s3://%s: %w", n, a.cfg.Bucket, err)
		}
		var d Digest
		if err := json.Unmarshal(b, &d); err != nil || d.N != n {
			return nil, ticketsum.Errorf(ticketsum.EINVALID, "anchored audit digest %s is damaged", a.key(n))
		}
		out = append(out, &d)
	}
	return out, nil
}

// syncAnchor copies to the anchor every digest it lacks.
func (t *Trail) syncAnchor(ctx context.Context) error {
	if t.cfg.Anchor == nil {
		return nil
	}
	t.stateMu.Lock()
	from := t.anchoredN
	t.stateMu.Unlock()
	if from < 0 {
		n, err := t.cfg.Anchor.LastN(ctx)
		if err != nil {
			return err
		}
		from = n
	}
	rows, err := t.cfg.DB.QueryContext(ctx, t.cfg.Dialect.Rebind(`SELECT `+digestCols+` FROM audit_digests WHERE n > ? ORDER BY n`), from)
	if err != nil {
		return fmt.Errorf("read audit digests: %w", err)
	}
	var ds []*Digest
	for rows.Next() {
		d, err := scanDigest(rows)
		if err != nil {
			rows.Close()
			return fmt.Errorf("read audit digests: %w", err)
		}
		ds = append(ds, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read audit digests: %w", err)
	}
	for _, d := range ds {
		if err := t.cfg.Anchor.Put(ctx, d); err != nil {
			t.noteAnchored(from)
			return err
		}
		from = d.N
	}
	t.noteAnchored(from)
	return nil
}

func (t *Trail) noteAnchored(n int64) {
	t.stateMu.Lock()
	t.anchoredN = max(t.anchoredN, n)
	t.stateMu.Unlock()
}
