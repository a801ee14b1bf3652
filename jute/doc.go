// Package jute implements ZooKeeper's binary wire encoding ("jute") and every
// record a ZooKeeper client sends or reads.
//
// Encoding appends into a caller-supplied buffer and never fails. Decoding
// reads from a byte slice through a [Decoder], which records the first error
// and makes every later read return a zero value, so a record's Decode method
// can read all of its fields and check the error once. Buffers returned by a
// Decoder alias the input slice; copy them if the input is reused.
//
// A declared length that is negative (other than -1 for null), larger than
// the bytes remaining in the frame, or larger than the decoder's limit is an
// error wrapping [ErrCorrupt]; it never causes a large allocation.
//
// The package uses no reflection and imports nothing of the project.
package jute
