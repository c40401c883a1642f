// Package ticketsum holds the domain of the ticket summariser: tickets and their
// messages, summaries, the Model and Summarizer interfaces that providers and
// summarisers implement, the store interfaces, and the coded Error that every
// user-facing failure carries.
//
// It imports nothing but the standard library; every other package of the
// module imports it, and only cmd/ticketsum wires implementations together.
package ticketsum
