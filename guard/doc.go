// Package guard is ticketsum's guardrail engine. It finds personal data in
// the text sent to a model and in the text that comes back, and applies a
// per-entity-type policy to it, separately for input and output:
// ANONYMIZE replaces a value with a typed placeholder such as {NAME_1} that
// is numbered consistently within a ticket (the same value gets the same
// placeholder in every message, in the input and in the output of a call);
// BLOCK stops the request with an EBLOCKED error that names the entity type
// and never the value; NONE lets it through.
//
// Entity types are named as Amazon Bedrock Guardrails names them (NAME,
// EMAIL, PHONE, ADDRESS, CREDIT_DEBIT_CARD_NUMBER, ...). Detection is regular
// expressions (Go's linear-time RE2) filtered by checksums (Luhn, IBAN
// mod-97, VIN check digit, ABA routing checksum, SSN area rules), phone
// validation with github.com/nyaruka/phonenumbers, context words that raise
// or are required for a match, the ticket's known people, and a heuristic
// name detector for the people the ticket does not list.
//
// On top of personal data the guard applies denied topics (matched by
// normalised keyword overlap with example phrases), word filters (the
// managed profanity list of github.com/TwiN/go-away plus custom words and
// phrases) and prompt-attack detection: instructions hidden in ticket text
// are flagged and neutralised so that they cannot steer the model. An
// optional Remote guardrail, such as Bedrock's ApplyGuardrail, runs last on
// the already-masked text.
//
// A model's answer is also checked for personal data in disguise, as a
// model obeying an instruction hidden in a ticket may write it: spaced
// out, with (at) and (dot), in fullwidth or look-alike letters, in digits
// of another script, or base64- or hex-encoded (see unveil).
//
// Typical use, once per ticket:
//
//	g, err := guard.New(guard.Config{})
//	s := g.NewSession(ticket)
//	in, err := g.CheckInput(ctx, s, prompt)   // in.Text goes to the model
//	out, err := g.CheckOutput(ctx, s, answer) // out.Text is the checked answer
//	summary.Flags = append(in.Flags, out.Flags...)
//	final := g.Scrub(s, out.Text)             // neutral words for reviewers
//
// Nothing this package logs or returns in an error contains a detected value:
// Finding's String and LogValue omit it.
package guard
