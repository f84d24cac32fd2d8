// Package explain is the one catalogue of one-sentence explanations of
// SMTP transcript lines, in English and Chinese: what a command asks for,
// what a reply code means (RFC 5321 §4.2 classes and codes), what an
// enhanced status code says (RFC 3463, RFC 5248 registry), what an EHLO
// capability offers, and what a 334 challenge carries (its base64
// decoded). Both the web inbox (postie serve --web) and the terminal
// (postie send -v --explain, postie demo) use it, so a student reads the
// same words in both places.
//
// An Explainer follows one session in order, because a reply's meaning
// depends on the command it answers (a 250 to EHLO lists extensions, a
// 250 after the final dot means the message was accepted).
package explain
