// Package ticketfile reads support tickets from a file or standard input.
//
// A Decoder accepts one ticket object per input (pretty-printed JSON is
// fine), a JSON array of tickets, or JSON Lines with one ticket per line, in
// the ticket format of docs/ticket-format.md or the dialog format of the
// evaluation datasets ({"id", "turns": [{"role", "text"}], "summaries"}).
//
// Next returns one ticket at a time. A record that is bad on its own comes
// back as a *Problem, whose message is one line naming the input, the line or
// record and the problem; the decoder then goes on with the next record.
// Any other error means the input as a whole cannot be read.
package ticketfile
