package audit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/ticketsum/ticketsum"
)

// KeyWrapper makes and unwraps the data keys of envelope encryption.
type KeyWrapper interface {
	// Name identifies the wrapper kind in file headers: "local" or "kms".
	Name() string
	// GenerateDataKey returns a fresh 32-byte AES key, the same key wrapped
	// by the key-encryption key, and the id of that key-encryption key.
	GenerateDataKey(ctx context.Context) (plaintext, wrapped []byte, keyID string, err error)
	// UnwrapDataKey returns the plaintext of a wrapped data key. It returns
	// EFORBIDDEN when the key cannot be unwrapped with the keys at hand.
	UnwrapDataKey(ctx context.Context, wrapped []byte, keyID string) ([]byte, error)
}

// segmentFormat names the format in every header.
const segmentFormat = "ticketsum-invocation-log"

// segmentHeader is the first line of every encrypted file or object.
type segmentHeader struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	Alg        string    `json:"alg"`
	Wrapper    string    `json:"wrapper"`
	KeyID      string    `json:"keyId"`
	WrappedKey string    `json:"wrappedKey"`
	Segment    string    `json:"segment"`
	Created    time.Time `json:"created"`
}

// sealedLine is one encrypted record: its index in the segment and
// base64(nonce || ciphertext). The AAD binds the segment id and index, so a
// line moved, dropped or copied from another segment fails to open.
type sealedLine struct {
	N int64  `json:"n"`
	C string `json:"c"`
}

// segmentWriter seals records into one segment with one data key.
type segmentWriter struct {
	hdr  segmentHeader
	aead cipher.AEAD
	n    int64
	aad  []byte // the buffer of the last record's additional data
}

func newSegmentWriter(ctx context.Context, w KeyWrapper, now time.Time) (*segmentWriter, error) {
	plain, wrapped, keyID, err := w.GenerateDataKey(ctx)
	if err != nil {
		return nil, fmt.Errorf("generate data key: %w", err)
	}
	aead, err := newGCM(plain)
	clear(plain)
	if err != nil {
		return nil, err
	}
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	return &segmentWriter{aead: aead, hdr: segmentHeader{
		Format: segmentFormat, Version: 1, Alg: "AES-256-GCM", Wrapper: w.Name(), KeyID: keyID,
		WrappedKey: base64.StdEncoding.EncodeToString(wrapped), Segment: hex.EncodeToString(id[:]), Created: now.UTC(),
	}}, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, ticketsum.Errorf(ticketsum.EINVALID, "data key is %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// header returns the header line, newline included.
func (s *segmentWriter) header() []byte {
	b, _ := json.Marshal(s.hdr)
	return append(b, '\n')
}

// seal returns the encrypted line for plaintext, newline included.
func (s *segmentWriter) seal(plaintext []byte) ([]byte, error) {
	line, _, err := s.appendSealed(nil, nil, plaintext)
	return line, err
}

// appendSealed appends the encrypted line for plaintext, newline included,
// to line, and returns it with scratch, the buffer the ciphertext was built
// in, for the caller to reuse. The line is the JSON of sealedLine, written
// directly (base64 needs no JSON escaping), so that the ciphertext is not
// copied and scanned once more.
func (s *segmentWriter) appendSealed(line, scratch, plaintext []byte) (_, _ []byte, err error) {
	s.n++
	ns := s.aead.NonceSize()
	ct := slices.Grow(scratch[:0], ns+len(plaintext)+s.aead.Overhead())[:ns]
	if _, err := rand.Read(ct); err != nil {
		s.n--
		return line, scratch, err
	}
	s.aad = appendAAD(s.aad[:0], s.hdr.Segment, s.n) // kept: Seal's interface call would move a local buffer to the heap
	ct = s.aead.Seal(ct, ct[:ns], plaintext, s.aad)
	line = slices.Grow(line, len(`{"n":,"c":""}`)+20+base64.StdEncoding.EncodedLen(len(ct))+1)
	line = append(line, `{"n":`...)
	line = strconv.AppendInt(line, s.n, 10)
	line = append(line, `,"c":"`...)
	line = base64.StdEncoding.AppendEncode(line, ct)
	return append(line, `"}`+"\n"...), ct, nil
}

// unseal takes back the last line sealed, which was not stored: the next
// one gets its index, so that the segment's records stay numbered without
// a gap. (Its nonce is random, so reusing the index reuses no nonce.)
func (s *segmentWriter) unseal() { s.n-- }

func aad(segment string, n int64) []byte {
	return appendAAD(nil, segment, n)
}

// appendAAD appends the additional data that binds a record to its
// segment and index: "<segment>:<n>".
func appendAAD(b []byte, segment string, n int64) []byte {
	b = append(b, segment...)
	b = append(b, ':')
	return strconv.AppendInt(b, n, 10)
}

// openSegment decrypts a whole segment and calls fn with each record's
// plaintext. Any damage (bad header, unknown wrapper, a line that fails
// authentication, a missing or reordered line) is an error naming the line.
func openSegment(ctx context.Context, r io.Reader, wrappers map[string]KeyWrapper, fn func(plaintext []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return err
		}
		return ticketsum.Errorf(ticketsum.EINVALID, "empty segment: no header")
	}
	var hdr segmentHeader
	if err := json.Unmarshal(sc.Bytes(), &hdr); err != nil || hdr.Format != segmentFormat || hdr.Version != 1 || hdr.Alg != "AES-256-GCM" {
		return ticketsum.Errorf(ticketsum.EINVALID, "line 1: not a ticketsum invocation log header")
	}
	w, ok := wrappers[hdr.Wrapper]
	if !ok {
		return ticketsum.Errorf(ticketsum.EFORBIDDEN, "segment is wrapped by %q (key %s), and no such key wrapper is configured", hdr.Wrapper, hdr.KeyID)
	}
	wrapped, err := base64.StdEncoding.DecodeString(hdr.WrappedKey)
	if err != nil {
		return ticketsum.Errorf(ticketsum.EINVALID, "line 1: wrapped key is not base64")
	}
	key, err := w.UnwrapDataKey(ctx, wrapped, hdr.KeyID)
	if err != nil {
		return fmt.Errorf("unwrap data key: %w", err)
	}
	aead, err := newGCM(key)
	clear(key)
	if err != nil {
		return err
	}
	var n int64
	for line := 2; sc.Scan(); line++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var sl sealedLine
		if err := json.Unmarshal(raw, &sl); err != nil {
			return ticketsum.Errorf(ticketsum.EINVALID, "line %d: not an encrypted record (truncated write?)", line)
		}
		n++
		if sl.N != n {
			return ticketsum.Errorf(ticketsum.EINVALID, "line %d: record %d found where record %d was expected: records were removed or reordered", line, sl.N, n)
		}
		ct, err := base64.StdEncoding.DecodeString(sl.C)
		if err != nil || len(ct) < aead.NonceSize() {
			return ticketsum.Errorf(ticketsum.EINVALID, "line %d: ciphertext is damaged", line)
		}
		pt, err := aead.Open(nil, ct[:aead.NonceSize()], ct[aead.NonceSize():], aad(hdr.Segment, sl.N))
		if err != nil {
			return ticketsum.Errorf(ticketsum.EINVALID, "line %d: record fails authentication: it was altered or belongs to another file", line)
		}
		if err := fn(pt); err != nil {
			return err
		}
	}
	return sc.Err()
}
