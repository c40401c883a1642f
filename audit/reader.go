package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/ticketsum/ticketsum"
)

// Source lists and opens encrypted log segments.
type Source interface {
	// List returns segment names in write order.
	List(ctx context.Context) ([]string, error)
	// Open returns a segment's content.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
}

// DirSource reads the files a FileSink wrote.
type DirSource struct{ Dir string }

// List implements Source.
func (d DirSource) List(context.Context) ([]string, error) {
	names, err := filepath.Glob(filepath.Join(d.Dir, "invocations-*.jsonl.enc"))
	if err != nil {
		return nil, err
	}
	for i := range names {
		names[i] = filepath.Base(names[i])
	}
	sort.Strings(names)
	return names, nil
}

// Open implements Source.
func (d DirSource) Open(_ context.Context, name string) (io.ReadCloser, error) {
	if strings.ContainsAny(name, `/\`) {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "bad segment name %q", name)
	}
	f, err := os.Open(filepath.Join(d.Dir, name))
	if err != nil {
		return nil, fmt.Errorf("open log file %s: %w", name, err)
	}
	return f, nil
}

// S3Source reads the objects an S3Sink wrote.
type S3Source struct {
	Client S3API
	Bucket string
	// Prefix as given to the sink. Default "invocation-logs/".
	Prefix string
}

func (s S3Source) prefix() string {
	if s.Prefix == "" {
		return "invocation-logs/"
	}
	if !strings.HasSuffix(s.Prefix, "/") {
		return s.Prefix + "/"
	}
	return s.Prefix
}

// List implements Source.
func (s S3Source) List(ctx context.Context) ([]string, error) {
	var out []string
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{Bucket: aws.String(s.Bucket), Prefix: aws.String(s.prefix())})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "list s3://%s/%s: %w", s.Bucket, s.prefix(), err)
		}
		for _, o := range page.Contents {
			if k := aws.ToString(o.Key); strings.HasSuffix(k, ".jsonl.enc") {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// Open implements Source.
func (s S3Source) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(name)})
	if err != nil {
		return nil, ticketsum.Errorf(ticketsum.EUNAVAILABLE, "get s3://%s/%s: %w", s.Bucket, name, err)
	}
	return out.Body, nil
}

// Reader decrypts the invocation log for an authorised operator: whoever
// holds the local key file or may call kms:Decrypt on the KMS key.
type Reader struct {
	src      Source
	wrappers map[string]KeyWrapper
}

// NewReader returns a reader of src that unwraps data keys with wrappers
// (one per kind: local, kms).
func NewReader(src Source, wrappers ...KeyWrapper) (*Reader, error) {
	if src == nil {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "log reader: no source")
	}
	if len(wrappers) == 0 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "log reader: no key wrapper")
	}
	m := map[string]KeyWrapper{}
	for _, w := range wrappers {
		m[w.Name()] = w
	}
	return &Reader{src: src, wrappers: m}, nil
}

// Read calls fn with every record matching f, segment by segment in write
// order. It stops at the first damaged segment with an error naming it.
func (r *Reader) Read(ctx context.Context, f Filter, fn func(*InvocationRecord) error) error {
	names, err := r.src.List(ctx)
	if err != nil {
		return err
	}
	for _, name := range names {
		rc, err := r.src.Open(ctx, name)
		if err != nil {
			return err
		}
		err = openSegment(ctx, rc, r.wrappers, func(pt []byte) error {
			var rec InvocationRecord
			if err := json.Unmarshal(pt, &rec); err != nil {
				return fmt.Errorf("decode record: %w", err)
			}
			if !f.match(&rec) {
				return nil
			}
			return fn(&rec)
		})
		rc.Close()
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
	}
	return nil
}
