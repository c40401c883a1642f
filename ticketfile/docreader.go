package ticketfile

import (
	"bytes"
	"errors"
	"io"
)

// docReadAhead is how far past a record's size limit the reader of
// pretty-printed objects may hold bytes: room for the JSON decoder's
// read-ahead, which docReader keeps below docReadChunk a read.
const (
	docReadAhead = 64 << 10
	docReadChunk = 16 << 10
)

// errRecordTooBig stops the JSON decoder inside a pretty-printed object
// larger than the size limit, so that memory stays bounded.
var errRecordTooBig = errors.New("record over the size limit")

// docReader feeds a stream of pretty-printed objects to a json.Decoder
// and keeps the bytes read since the current record began, so that stream
// offsets can be turned into line numbers. It holds at most limit bytes.
type docReader struct {
	r     io.Reader
	data  []byte // the bytes from stream offset base on
	base  int64  // stream offset of data[0]
	line  int    // 1-based line of data[0]
	limit int
}

// Read reads at most docReadChunk bytes, and fails with errRecordTooBig
// when the kept bytes reach the limit.
func (dr *docReader) Read(p []byte) (int, error) {
	room := dr.limit - len(dr.data)
	if room <= 0 {
		return 0, errRecordTooBig
	}
	p = p[:min(len(p), room, docReadChunk)]
	n, err := dr.r.Read(p)
	dr.data = append(dr.data, p[:n]...)
	return n, err
}

// index returns the position in data of stream offset off.
func (dr *docReader) index(off int64) int {
	return int(min(max(off-dr.base, 0), int64(len(dr.data))))
}

// drop forgets the bytes before stream offset off, counting their lines.
func (dr *docReader) drop(off int64) {
	i := dr.index(off)
	dr.line += bytes.Count(dr.data[:i], []byte("\n"))
	dr.data = append(dr.data[:0], dr.data[i:]...)
	dr.base += int64(i)
}

// skipSpace returns the stream offset of the first byte at or after off
// that is not white space.
func (dr *docReader) skipSpace(off int64) int64 {
	i := dr.index(off)
	for i < len(dr.data) && isSpace(dr.data[i]) {
		i++
	}
	return dr.base + int64(i)
}

// lineAt returns the 1-based line of stream offset off.
func (dr *docReader) lineAt(off int64) int {
	return dr.line + bytes.Count(dr.data[:dr.index(off)], []byte("\n"))
}
